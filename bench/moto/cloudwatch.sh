#!/bin/sh
# Runs modeltest's CloudWatch steps against moto (github.com/getmoto/moto) run from its source, with Debian's
# Python packages, as run.sh says; then, from the repository root after npm run build:
#   MOTO=http://127.0.0.1:5055 sh bench/moto/cloudwatch.sh
set -e
export AWS_ENDPOINT_URL=${MOTO:-http://127.0.0.1:5055}
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
node bench/moto/cloudwatch-steps.mjs
