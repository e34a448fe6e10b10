#!/usr/bin/env bash
# Measures `mqguard scan --format json` on a synthetic Terraform monorepo,
# a CloudFormation corpus, or both.
#
#   bench/run.sh                          # 5 runs on the default Terraform corpus
#   RUNS=10 FILES=2000 bench/run.sh       # other sizes
#   KIND=cfn bench/run.sh                 # 1,000 CloudFormation templates alone
#   KIND=mixed bench/run.sh               # 5,000 .tf files and 1,000 templates
#   BASELINE=/path/to/old/mqguard bench/run.sh   # compare with another binary
#
# Environment:
#   RUNS       number of timed runs per binary (default 5)
#   KIND       tf (default), cfn or mixed: what the generated corpus holds
#   FILES      .tf files in the generated corpus (default 5000; 0 with KIND=cfn)
#   CFN        CloudFormation templates in the generated corpus (default 1000;
#              0 with KIND=tf)
#   SEED       generator seed (default 1)
#   CORPUS     directory to scan (default bench/.corpus/<kind>-<sizes>-seed$SEED,
#              generated with bench/gen when missing)
#   SCAN_ARGS  extra arguments for mqguard scan (e.g. "--input-type cloudformation")
#   BASELINE   a previous mqguard binary to time on the same corpus
#
# Prints one line per run (wall time, peak resident memory, exit code) and the
# median and minimum per binary; with BASELINE also the ratio of the medians.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
KIND=${KIND:-tf}
SEED=${SEED:-1}
case "$KIND" in
tf)
	FILES=${FILES:-5000} CFN=${CFN:-0}
	default_corpus=bench/.corpus/tf-$FILES-seed$SEED
	;;
cfn)
	FILES=${FILES:-0} CFN=${CFN:-1000}
	default_corpus=bench/.corpus/cfn-$CFN-seed$SEED
	;;
mixed)
	FILES=${FILES:-5000} CFN=${CFN:-1000}
	default_corpus=bench/.corpus/mixed-$FILES-$CFN-seed$SEED
	;;
*)
	echo "KIND must be tf, cfn or mixed" >&2
	exit 2
	;;
esac
CORPUS=${CORPUS:-$default_corpus}
# Split on spaces on purpose: SCAN_ARGS holds several arguments.
read -r -a scan_args <<<"${SCAN_ARGS:-}"
BIN=bench/.bin/mqguard

echo "building $BIN"
go build -o "$BIN" ./cmd/mqguard

if [ ! -d "$CORPUS" ]; then
	echo "generating $CORPUS"
	go run ./bench/gen -out "$CORPUS" -files "$FILES" -cfn "$CFN" -seed "$SEED"
fi
# count_mb FIND-ARGS...: prints "<files> <MB>" for the files find selects.
count_mb() {
	find "$CORPUS" -type f "$@" -printf '%s\n' | awk '{n++; s+=$1} END{printf "%d %.1f\n", n, s/1e6}'
}
read -r tf_files tf_mb < <(count_mb -name '*.tf')
read -r cfn_files cfn_mb < <(count_mb \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \))
echo "corpus: $CORPUS ($tf_files .tf files, $tf_mb MB; $cfn_files YAML/JSON files, $cfn_mb MB), $(nproc) CPUs"

# GNU time reports peak RSS; without it only wall time is measured.
gnu_time=""
if /usr/bin/time -f '%e' true >/dev/null 2>&1; then
	gnu_time=/usr/bin/time
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure BINARY LABEL: runs the scan RUNS times and prints one line each.
# Leaves the wall times (seconds) in $tmp/LABEL.
measure() {
	local bin=$1 label=$2 i code wall rss
	: >"$tmp/$label"
	for i in $(seq 1 "$RUNS"); do
		code=0
		if [ -n "$gnu_time" ]; then
			"$gnu_time" -f '%e %M' -o "$tmp/time" "$bin" scan --format json "${scan_args[@]}" "$CORPUS" >/dev/null 2>"$tmp/stderr" || code=$?
			# GNU time prefixes a note when the command exits non-zero.
			read -r wall rss < <(tail -1 "$tmp/time")
			rss=$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')
		else
			local start end
			start=$(date +%s.%N)
			"$bin" scan --format json "${scan_args[@]}" "$CORPUS" >/dev/null 2>"$tmp/stderr" || code=$?
			end=$(date +%s.%N)
			wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
			rss="n/a"
		fi
		# 0: no finding, 1: findings; anything else means the scan did not complete.
		if [ "$code" -gt 1 ]; then
			echo "warning: $label run $i exited $code: $(head -c 300 "$tmp/stderr")" >&2
		fi
		printf '%-9s %4d %9s %10s %5d\n' "$label" "$i" "$wall" "$rss" "$code"
		echo "$wall" >>"$tmp/$label"
	done
}

# stats LABEL: prints "median min" of the recorded wall times.
stats() {
	sort -n "$tmp/$1" | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f %.2f\n", m, a[1]}'
}

printf '%-9s %4s %9s %10s %5s\n' binary run "wall (s)" "RSS (MB)" exit
measure "$BIN" current
if [ -n "${BASELINE:-}" ]; then
	measure "$BASELINE" baseline
fi

echo
read -r med min < <(stats current)
printf 'current:  median %s s, min %s s\n' "$med" "$min"
if [ -n "${BASELINE:-}" ]; then
	read -r bmed bmin < <(stats baseline)
	printf 'baseline: median %s s, min %s s\n' "$bmed" "$bmin"
	awk -v c="$med" -v b="$bmed" 'BEGIN{ if (b > 0) printf "current/baseline median wall time: %.2f\n", c/b }'
fi
