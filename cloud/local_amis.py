"""Public images programs commonly look up (Ubuntu LTS) added to the local cloud's image catalogue.

moto already ships current Amazon Linux 2 and 2023 images; Ubuntu's are added to its list rather than
replacing it (MOTO_AMIS_PATH would drop moto's own), before the first EC2 request in the server process.
"""

import json
from importlib.resources import files


def add_local_amis() -> None:
    from moto.ec2.models import amis

    extra = json.loads(files("envctl.cloud").joinpath("local_amis.json").read_text())
    known = {image["ami_id"] for image in amis.AMIS}
    amis.AMIS.extend(image for image in extra if image["ami_id"] not in known)
