#!/usr/bin/env bash
# Regenerates src/main/gen-java from the .thrift files with the pinned compiler version.
# Run through Maven: mvn -Pthrift generate-sources (from the root or thrift-idl/).
set -euo pipefail
want="${1:?usage: generate.sh <thrift-version>}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../gen-java"
command -v thrift >/dev/null || { echo "thrift compiler not found; install Debian's thrift-compiler $want" >&2; exit 1; }
have="$(thrift --version | awk '{print $3}')"
if [ "$have" != "$want" ]; then
  echo "thrift compiler is $have, this build pins $want (generated code must not drift)" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
for f in "$here"/*.thrift; do
  thrift --gen java:generated_annotations=suppress -out "$out" "$f"
done
echo "generated Java from $(ls "$here"/*.thrift | wc -l) IDL file(s) into $out"
