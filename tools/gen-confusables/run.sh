#!/bin/sh
#   Regenerate workers/rules/confusables.tsv from ICU's UTS #39 data.
#   Needs libicu-dev (generator only; the product never links ICU).
#   Run from the repo root: sh tools/gen-confusables/run.sh
set -e
out=${1:-workers/rules/confusables.tsv}
bin=$(mktemp /tmp/gen_confusables.XXXXXX)
trap 'rm -f "$bin"' EXIT
cc -std=c11 -O2 -Wall -Wextra -o "$bin" tools/gen-confusables/gen_confusables.c \
    $(pkg-config --cflags --libs icu-uc icu-i18n)
"$bin" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
