#!/bin/sh
# Prints real postmortems of the shared corpus (../shared/corpus/postmortems) to PDF the way a
# team's "export to PDF" often does — front-matter removed, Markdown -> HTML (pandoc), HTML -> PDF
# (wkhtmltopdf, A4, defaults; and headless Chromium, Letter, its page header and footer on, when
# installed) — into a folder outside the project (the corpus is never copied in).
# `npx tsx eval/pdf-layout.ts` then compares each PDF with its Markdown, block by block.
# Needs: apt-get install -y pandoc wkhtmltopdf. Remote images can't load offline: wkhtmltopdf then
# exits 1 (or waits on DNS) but writes the page, printed without them.
set -e
here=$(cd "$(dirname "$0")" && pwd)
corpus=${HINDSIGHT_SHARED:-$here/../../shared}/corpus/postmortems
out=${1:-/tmp/hindsight-corpus-pdfs}
mkdir -p "$out"
for f in chia/2022-08-19-CATbleed posthog/2025-11-15-persons-db-migration zalando-kubernetes-on-aws/jan-2019-dns-outage \
         kubernetes-test-infra/2019-01-23 dfds/PM2024-001_-_Two_Kubernetes_nodes_went_into_NotReady_state; do
  n=$(echo "$f" | tr '/' '_')
  awk 'NR==1&&/^---$/{fm=1;next} fm&&/^---$/{fm=0;next} !fm' "$corpus/$f.md" |
    pandoc -s --metadata pagetitle="$n" -f gfm -t html5 -o "$out/$n.html"
  timeout 60 wkhtmltopdf -q "$out/$n.html" "$out/$n.wkhtmltopdf.pdf" || test -s "$out/$n.wkhtmltopdf.pdf"
  if command -v chromium >/dev/null; then
    timeout 90 chromium --headless --no-sandbox --disable-gpu --print-to-pdf="$out/$n.chromium.pdf" "$out/$n.html" >/dev/null 2>&1 || test -s "$out/$n.chromium.pdf"
  fi
done
echo "$out"
