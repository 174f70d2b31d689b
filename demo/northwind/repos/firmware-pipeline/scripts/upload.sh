#!/bin/sh
# Uploads a signed firmware image and tags the release on GitHub.
set -eu
. ./.env.deploy
aws s3 cp "build/$1.bin" "s3://$FIRMWARE_BUCKET/releases/$1.bin"
curl -sf -H "Authorization: token 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" \
  -X POST https://api.github.com/repos/northwind/robot-firmware/releases \
  -d "{\"tag_name\": \"$1\"}"
