import json

PETS = [{"id": 1, "name": "Rex"}, {"id": 2, "name": "Tom"}]


def handler(event, context):
    pet_id = (event.get("pathParameters") or {}).get("id")
    body = PETS if pet_id is None else next((p for p in PETS if str(p["id"]) == pet_id), None)
    return {"statusCode": 200 if body is not None else 404, "body": json.dumps(body)}
