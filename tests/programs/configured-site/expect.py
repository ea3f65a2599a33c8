"""configured-site: what a user checks in the cloud after `up`, and after adding an origin to CORS."""

from program_cases import PROGRAMS, Cloud, Edit, Outputs, ProgramCase, set_config

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration"


def ownership(s3, bucket: str) -> str:
    return s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]


def group_grants(s3, bucket: str) -> set[tuple[str, str]]:
    return {(g["Grantee"]["URI"], g["Permission"]) for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]
            if g["Grantee"].get("URI")}


def verify(cloud: Cloud, out: Outputs) -> None:
    s3, site, logs = cloud.client("s3"), out["site_bucket"], out["logs_bucket"]
    assert out["website_endpoint"] == f"{site}.s3-website-us-east-1.amazonaws.com"
    assert ownership(s3, site) == "BucketOwnerPreferred" and ownership(s3, logs) == "ObjectWriter"
    assert (ALL_USERS, "READ") in group_grants(s3, site)
    assert any(uri == LOG_DELIVERY for uri, _ in group_grants(s3, logs))
    [rule] = s3.get_bucket_encryption(Bucket=site)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256" and rule["BucketKeyEnabled"]
    [cors] = s3.get_bucket_cors(Bucket=site)["CORSRules"]
    assert cors["AllowedOrigins"] == ["https://www.example.com"] and cors["AllowedMethods"] == ["GET", "HEAD"]
    assert s3.get_bucket_website(Bucket=site)["ErrorDocument"] == {"Key": "404.html"}
    logging = s3.get_bucket_logging(Bucket=site)["LoggingEnabled"]
    assert (logging["TargetBucket"], logging["TargetPrefix"]) == (logs, "site/")
    [expiry] = s3.get_bucket_lifecycle_configuration(Bucket=logs)["Rules"]
    assert expiry["Expiration"] == {"Days": 30} and expiry["Filter"] == {"Prefix": "site/"}
    index = s3.get_object(Bucket=site, Key="index.html")
    assert index["ContentType"] == "text/html"
    assert index["Body"].read() == (PROGRAMS / "configured-site" / "www" / "index.html").read_bytes()
    assert (ALL_USERS, "READ") in {(g["Grantee"].get("URI"), g["Permission"])
                                   for g in s3.get_object_acl(Bucket=site, Key="index.html")["Grants"]}


def verify_second_origin(cloud: Cloud, before: Outputs, after: Outputs) -> None:
    [cors] = cloud.client("s3").get_bucket_cors(Bucket=after["site_bucket"])["CORSRules"]
    assert sorted(cors["AllowedOrigins"]) == ["https://app.example.com", "https://www.example.com"]
    assert after == before


CASE = ProgramCase(
    "configured-site",
    verify,
    Edit(set_config("test", corsOrigins=["https://www.example.com", "https://app.example.com"]),
         (("update", CORS),), verify_second_origin),
)
