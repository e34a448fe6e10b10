#!/usr/bin/env bash
# Measures `mqguard scan --format json` on synthetic corpora and compares it
# with the parse floor (bench/floor): the time stock hclsyntax takes to parse
# only the blocks mqguard must parse.
#
#   bench/run.sh                          # both Terraform profiles, 5 runs each
#   PROFILE=dense RUNS=3 bench/run.sh     # one profile
#   KIND=cfn bench/run.sh                 # 1,000 CloudFormation templates alone
#   KIND=mixed bench/run.sh               # 5,000 .tf files and 1,000 templates
#   BASELINE=/path/to/old/mqguard bench/run.sh   # compare with another binary
#
# Environment:
#   RUNS       number of timed runs per measure (default 5)
#   KIND       tf (default), cfn or mixed: what the generated corpus holds
#   PROFILE    default, dense or both (default both): the shape of the
#              Terraform part (bench/gen -profile); unused with KIND=cfn
#   FILES      .tf files in the generated corpus (default 5000; 0 with KIND=cfn)
#   CFN        CloudFormation templates in the generated corpus (default 1000;
#              0 with KIND=tf)
#   SEED       generator seed (default 1)
#   CORPUS     a directory to scan instead of the generated corpora
#   SCAN_ARGS  extra arguments for mqguard scan (e.g. "--input-type cloudformation")
#   BASELINE   a previous mqguard binary to time on the same corpora
#
# For each corpus it times, RUNS times each:
#   full      mqguard scan --format json --no-cache $SCAN_ARGS CORPUS
#   mqg001    the same with --rules MQG001: what is left when one rule runs
#   cached    mqguard scan --format json --cache-dir DIR ..., after one
#             untimed run that fills DIR
#   floor     bench/floor CORPUS (.tf files only)
#   baseline  BASELINE's full scan, when BASELINE is set
# It prints one line per run (wall time, CPU time, peak resident memory, exit
# code), then the median wall and CPU times and the largest peak RSS of each
# measure, the ratios of the wall times and the targets. --no-cache and the cached measure need a build that
# has those flags; without them the uncached runs are plain scans and the
# cached one is reported as n/a.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
KIND=${KIND:-tf}
SEED=${SEED:-1}
PROFILE=${PROFILE:-both}
case "$KIND" in
tf) FILES=${FILES:-5000} CFN=${CFN:-0} ;;
cfn) FILES=${FILES:-0} CFN=${CFN:-1000} ;;
mixed) FILES=${FILES:-5000} CFN=${CFN:-1000} ;;
*)
	echo "KIND must be tf, cfn or mixed" >&2
	exit 2
	;;
esac
case "$PROFILE" in
both) profiles=(default dense) ;;
default | dense) profiles=("$PROFILE") ;;
*)
	echo "PROFILE must be default, dense or both" >&2
	exit 2
	;;
esac
if [ "$KIND" = cfn ]; then
	profiles=(default) # no Terraform to shape
fi
# Split on spaces on purpose: SCAN_ARGS holds several arguments.
read -r -a scan_args <<<"${SCAN_ARGS:-}"
BIN=bench/.bin/mqguard
FLOOR=bench/.bin/floor

echo "building $BIN and $FLOOR"
go build -o "$BIN" ./cmd/mqguard
go build -o "$FLOOR" ./bench/floor

# GNU time reports peak RSS; without it only wall time is measured.
gnu_time=""
if /usr/bin/time -f '%e' true >/dev/null 2>&1; then
	gnu_time=/usr/bin/time
else
	echo "note: /usr/bin/time is not GNU time (apt-get install time): no RSS figures"
fi

# supports BINARY FLAG: whether `BINARY scan --help` lists FLAG. The help is
# captured first: a failing --help or an early exit of grep must not count.
supports() {
	local help
	help=$("$1" scan --help 2>&1 || true)
	grep -q -- "$2" <<<"$help"
}
no_cache=()
if supports "$BIN" --no-cache; then
	no_cache=(--no-cache)
fi
has_cache_dir=false
if supports "$BIN" --cache-dir; then
	has_cache_dir=true
fi
base_no_cache=()
if [ -n "${BASELINE:-}" ] && supports "$BASELINE" --no-cache; then
	base_no_cache=(--no-cache)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# corpus_dir PROFILE: where the generated corpus of PROFILE lives. The
# default profile keeps the names it had before profiles existed.
corpus_dir() {
	local dense=""
	if [ "$1" = dense ]; then
		dense=dense-
	fi
	case "$KIND" in
	tf) echo "bench/.corpus/tf-$dense$FILES-seed$SEED" ;;
	cfn) echo "bench/.corpus/cfn-$CFN-seed$SEED" ;;
	mixed) echo "bench/.corpus/mixed-$dense$FILES-$CFN-seed$SEED" ;;
	esac
}

# generate PROFILE DIR: writes the corpus into DIR, through a temporary
# directory so that an interrupted run leaves no partial corpus behind.
generate() {
	echo "generating $2"
	rm -rf "$2.tmp"
	go run ./bench/gen -out "$2.tmp" -files "$FILES" -cfn "$CFN" -seed "$SEED" -profile "$1"
	mv "$2.tmp" "$2"
}

# run_once COMMAND...: runs COMMAND with its output discarded and sets wall
# and cpu (user + system, seconds; n/a without GNU time), rss (MB or n/a) and
# code (exit code). CPU time is the steadier figure on a busy machine.
run_once() {
	code=0
	if [ -n "$gnu_time" ]; then
		"$gnu_time" -f '%e %M %U %S' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || code=$?
		# GNU time prefixes a note when the command exits non-zero.
		local user sys
		read -r wall rss user sys < <(tail -1 "$tmp/time")
		rss=$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')
		cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
	else
		local start end
		start=$(date +%s.%N)
		"$@" >/dev/null 2>"$tmp/stderr" || code=$?
		end=$(date +%s.%N)
		wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}')
		cpu="n/a" rss="n/a"
	fi
}

# measure LABEL MAXCODE COMMAND...: runs COMMAND RUNS times, prints one line
# per run and keeps the wall times, CPU times and peak RSS in $tmp/LABEL.wall,
# .cpu and .rss. An exit code above MAXCODE means the command did not
# complete (for mqguard, 1 only says there are findings).
measure() {
	local label=$1 maxcode=$2 i
	shift 2
	: >"$tmp/$label.wall"
	: >"$tmp/$label.cpu"
	: >"$tmp/$label.rss"
	for i in $(seq 1 "$RUNS"); do
		run_once "$@"
		if [ "$code" -gt "$maxcode" ]; then
			echo "warning: $label run $i exited $code: $(head -c 300 "$tmp/stderr")" >&2
		fi
		printf '%-9s %4d %9s %8s %9s %5d\n' "$label" "$i" "$wall" "$cpu" "$rss" "$code"
		echo "$wall" >>"$tmp/$label.wall"
		echo "$cpu" >>"$tmp/$label.cpu"
		echo "$rss" >>"$tmp/$label.rss"
	done
}

# median LABEL [KIND], peak LABEL: the median wall (or cpu) time and the
# largest peak RSS of a measure, or n/a when it was not run.
median() {
	local f=$tmp/$1.${2:-wall}
	if [ ! -s "$f" ] || [ "$(head -1 "$f")" = n/a ]; then
		echo n/a
		return
	fi
	sort -n "$f" | awk '{a[NR]=$1} END{m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m}'
}
peak() {
	if [ ! -s "$tmp/$1.rss" ]; then
		echo n/a
		return
	fi
	sort -n "$tmp/$1.rss" | tail -1
}

# ratio A B: A/B with two decimals, n/a when either is missing.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "n/a" || b == "n/a" || b <= 0) print "n/a"; else printf "%.2f\n", a/b }'
}

# target VALUE LIMIT TEXT: prints "target TEXT: met" when VALUE is at most
# LIMIT, "target TEXT: MISSED" otherwise, nothing when no LIMIT applies.
target() {
	if [ -z "$2" ]; then
		return
	fi
	awk -v v="$1" -v l="$2" -v t="$3" 'BEGIN{ if (v == "n/a") s = "n/a"; else s = (v <= l) ? "met" : "MISSED"; printf "target %s: %s", t, s }'
}

# row NAME WALL CPU RSS [NOTE...]: one line of a summary, the non-empty notes
# joined by semicolons.
row() {
	local name=$1 wall=$2 cpu=$3 rss=$4 notes="" note
	shift 4
	for note in "$@"; do
		if [ -n "$note" ]; then
			notes+="${notes:+; }$note"
		fi
	done
	printf '  %-17s %9s %8s %9s   %s\n' "$name" "$wall" "$cpu" "$rss" "$notes"
}

# measured NAME LABEL [NOTE...]: the summary row of a measure.
measured() {
	local name=$1 label=$2
	shift 2
	row "$name" "$(median "$label")" "$(median "$label" cpu)" "$(peak "$label")" "$@"
}

# count_mb DIR FIND-ARGS...: prints "<files> <MB>" for the files find selects.
count_mb() {
	local dir=$1
	shift
	find "$dir" -type f "$@" -printf '%s\n' | awk '{n++; s+=$1} END{printf "%d %.1f\n", n, s/1e6}'
}

# report NAME CORPUS: measures one corpus and prints its summary.
report() {
	local name=$1 corpus=$2 tf_files tf_mb cfn_files cfn_mb
	local max_wall="" max_rss="" max_floor="" max_cached=""
	# Targets: bench/README.md.
	case "$name" in
	default) max_wall=1 max_rss=200 max_cached=0.3 ;;
	dense) max_floor=1.5 max_rss=300 max_cached=0.3 ;;
	cfn) max_wall=1 max_rss=200 ;;
	esac

	read -r tf_files tf_mb < <(count_mb "$corpus" -name '*.tf')
	read -r cfn_files cfn_mb < <(count_mb "$corpus" \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \))
	echo
	echo "== $name: $corpus ($tf_files .tf files, $tf_mb MB; $cfn_files YAML/JSON files, $cfn_mb MB), $(nproc) CPUs"
	rm -f "$tmp"/*.wall "$tmp"/*.cpu "$tmp"/*.rss
	if [ "$tf_files" -gt 0 ]; then
		# Also brings the corpus into the page cache before the timed runs.
		"$FLOOR" "$corpus"
	fi

	printf '%-9s %4s %9s %8s %9s %5s\n' measure run "wall (s)" "CPU (s)" "RSS (MB)" exit
	local scan=(scan --format json "${scan_args[@]}")
	measure full 1 "$BIN" "${scan[@]}" "${no_cache[@]}" "$corpus"
	measure mqg001 1 "$BIN" "${scan[@]}" "${no_cache[@]}" --rules MQG001 "$corpus"
	if $has_cache_dir; then
		local cache=$tmp/cache-$name
		run_once "$BIN" "${scan[@]}" --cache-dir "$cache" "$corpus"
		if [ "$code" -gt 1 ]; then
			echo "warning: cache warm-up exited $code: $(head -c 300 "$tmp/stderr")" >&2
		fi
		measure cached 1 "$BIN" "${scan[@]}" --cache-dir "$cache" "$corpus"
	fi
	if [ "$tf_files" -gt 0 ]; then
		measure floor 0 "$FLOOR" "$corpus"
	fi
	if [ -n "${BASELINE:-}" ]; then
		measure baseline 1 "$BASELINE" "${scan[@]}" "${base_no_cache[@]}" "$corpus"
	fi

	local full floor cached
	full=$(median full) floor=$(median floor) cached=$(median cached)
	echo
	echo "summary ($name): median wall and CPU times, largest peak RSS of $RUNS runs"
	row measure "wall (s)" "CPU (s)" "RSS (MB)"
	measured "full scan" full "$(target "$full" "$max_wall" "under $max_wall s")" "$(target "$(peak full)" "$max_rss" "under $max_rss MB")"
	measured "--rules MQG001" mqg001
	if $has_cache_dir; then
		measured "cached re-scan" cached "$(target "$cached" "$max_cached" "under $max_cached s")"
	else
		printf '  %-17s %s\n' "cached re-scan" "n/a (no --cache-dir in this build)"
	fi
	if [ "$tf_files" -gt 0 ]; then
		measured "parse floor" floor
	else
		printf '  %-17s %s\n' "parse floor" "n/a (no .tf files)"
	fi
	if [ -n "${BASELINE:-}" ]; then
		measured baseline baseline
	fi
	local full_floor
	full_floor=$(ratio "$full" "$floor")
	# Ratios of the median wall times.
	row "full/floor" "$full_floor" "" "" "$(target "$full_floor" "$max_floor" "$max_floor or less")"
	row "MQG001/floor" "$(ratio "$(median mqg001)" "$floor")" "" ""
	row "cached/full" "$(ratio "$cached" "$full")" "" ""
	if [ -n "${BASELINE:-}" ]; then
		row "current/baseline" "$(ratio "$full" "$(median baseline)")" "" "" "(below 1: the current build is faster)"
	fi
}

# A corpus of one's own has no targets; a generated one is named after its
# profile (the targets above), or its kind when that is not Terraform alone.
if [ -n "${CORPUS:-}" ]; then
	report corpus "$CORPUS"
	exit 0
fi
for profile in "${profiles[@]}"; do
	dir=$(corpus_dir "$profile")
	if [ ! -d "$dir" ]; then
		generate "$profile" "$dir"
	fi
	case "$KIND" in
	tf) report "$profile" "$dir" ;;
	cfn) report cfn "$dir" ;;
	mixed) report "mixed-$profile" "$dir" ;;
	esac
done
