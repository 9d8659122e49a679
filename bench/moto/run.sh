#!/bin/sh
# Runs modeltest's deploy steps against moto (github.com/getmoto/moto) run from its source, with Debian's Python
# packages (PyPI is not needed):
#   apt-get install python3-boto3 python3-werkzeug python3-flask python3-flask-cors python3-xmltodict \
#     python3-responses python3-jinja2 python3-cryptography python3-yaml
#   git clone https://github.com/getmoto/moto /tmp/moto
#   (cd /tmp/moto && python3 -m moto.server -H 127.0.0.1 -p 5055) &
# then, from the repository root after npm run build:  sh bench/moto/run.sh
set -e
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:5055}
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
node bench/moto/deploy-steps.mjs
