def handler(event, context):
    return {"greeting": f"Hello, {event.get('name', 'world')}!"}
