# Kernel counters and syscall tables of one forwarder, for bench/experiment.sh; source it.
#
# counters_start PID FILE / counters_stop: software events and per-syscall counts over a window,
# with `perf stat` (counting in the kernel, no per-event cost), or, where perf is missing, the
# voluntary and nonvoluntary context switches of /proc/PID/task/*/status, sampled every 0.2 s.
# syscall_table_start PID FILE / syscall_table_stop: every call by name, with `perf trace -s` on
# the forwarder's cgroup (it follows threads started later, which `perf trace -p` does not) or
# `strace -c -f` where that is not available.

# The original study's `perf stat` list; this VM reports the hardware ones as <not supported>.
PERF_EVENTS=context-switches,cpu-migrations,task-clock,page-faults,cycles,instructions,cache-references,cache-misses,branches,branch-misses
# Counted, not traced: these cost the forwarder little, unlike strace.
PERF_SYSCALL_EVENTS=raw_syscalls:sys_enter
for call in read write readv writev recvfrom sendto recvmsg sendmsg splice epoll_wait epoll_pwait epoll_ctl futex; do
    PERF_SYSCALL_EVENTS+=,syscalls:sys_enter_$call
done
unset call
# What a pump calls to move bytes; everything else is bookkeeping (epoll, futex, ...).
DATA_CALLS="read write readv writev recvfrom sendto recvmsg sendmsg splice"
CGROUP_ROOT=/sys/fs/cgroup/unified
[[ -f "$CGROUP_ROOT/cgroup.procs" ]] || CGROUP_ROOT=/sys/fs/cgroup
COUNTER_PID=""; COUNTER_FILE=""; COUNTER_TARGET=""

have_perf() { perf stat -e task-clock -- true >/dev/null 2>&1; }

counters_start() { # counters_start PID FILE: starts counting; the file gets the raw output
    COUNTER_TARGET=$1; COUNTER_FILE=$2; COUNTER_PID=""
    [[ "$1" == 0 ]] && return
    if [[ "$COUNTERS" == perf ]]; then
        perf stat -x, -e "$PERF_EVENTS,$PERF_SYSCALL_EVENTS" -p "$1" -o "$2" 2>/dev/null &
        COUNTER_PID=$!
        sleep 0.2 # perf opens its events before the load starts
    else
        # Snapshots every 0.2 s, so that a thread which starts and ends inside the window (a
        # platform pump of a short connection) is still seen while it lives.
        (while kill -0 "$1" 2>/dev/null; do
            grep -H ctxt_switches /proc/"$1"/task/*/status 2>/dev/null; echo --; sleep 0.2
        done) > "$2.snapshots" &
        COUNTER_PID=$!
    fi
}

# counters_stop: ends the window; sets COUNTED to "context_switches migrations data_calls all_calls"
# ("-" where the source cannot tell). Call it in the shell that called counters_start, not in a
# command substitution: perf is that shell's child, and only its parent can wait for it.
counters_stop() {
    COUNTED="- - - -"
    [[ "$COUNTER_TARGET" == 0 || -z "$COUNTER_FILE" ]] && return
    if [[ "$COUNTERS" != perf ]]; then
        kill "$COUNTER_PID" 2>/dev/null || true
        wait "$COUNTER_PID" 2>/dev/null || true
        grep -H ctxt_switches /proc/"$COUNTER_TARGET"/task/*/status >> "$COUNTER_FILE.snapshots" 2>/dev/null || true
        # Per thread: its last count minus its count in the first snapshot (0 if it started later).
        COUNTED="$(awk -F'[/:]' '/ctxt_switches/ { tid = $5; n = $NF + 0; key = tid SUBSEP $7
                if (!(key in last) && snapshot == 0) first[key] = n; last[key] = n }
            /^--$/ { snapshot++ }
            END { for (k in last) total += last[k] - first[k]; printf "%d", total }' "$COUNTER_FILE.snapshots") - - -"
        return
    fi
    if [[ -n "$COUNTER_PID" ]]; then
        stop_tool "$COUNTER_PID"
        COUNTED=$(python3 - "$COUNTER_FILE" "$DATA_CALLS" <<'EOF'
import sys
counts, data = {}, set(sys.argv[2].split())
for line in open(sys.argv[1]):
    fields = line.strip().split(",")
    if len(fields) > 2 and fields[0].replace(".", "").isdigit():
        counts[fields[2]] = float(fields[0])
calls = sum(v for k, v in counts.items() if k.startswith("syscalls:sys_enter_") and k[19:] in data)
def show(key):
    return "%d" % counts[key] if key in counts else "-"
print(show("context-switches"), show("cpu-migrations"), "%d" % calls if counts else "-", show("raw_syscalls:sys_enter"))
EOF
)
    fi
}

syscall_table_start() { # syscall_table_start PID FILE: traces every call of PID and its threads
    TABLE_TARGET=$1; TABLE_FILE=$2; TABLE_PID=""; TABLE_CGROUP=""
    [[ "$1" == 0 ]] && return
    if [[ "$TRACER" == "perf trace" ]]; then
        TABLE_CGROUP=oi-bench-$$
        mkdir -p "$CGROUP_ROOT/$TABLE_CGROUP"
        echo "$1" > "$CGROUP_ROOT/$TABLE_CGROUP/cgroup.procs"
        perf trace -a -G "$TABLE_CGROUP" -s -o "$2" >/dev/null 2>&1 &
    else
        strace -c -f -p "$1" -o "$2" 2>/dev/null &
    fi
    TABLE_PID=$!
    sleep 1
}

# syscall_table_stop: ends the trace; sets TABLE to name=count,name=count (all threads). Like
# counters_stop, call it in the shell that started the tracer.
syscall_table_stop() {
    TABLE=""
    [[ -z "$TABLE_PID" ]] && return
    stop_tool "$TABLE_PID"
    if [[ -n "$TABLE_CGROUP" ]]; then
        # Back to the root cgroup before the directory can go.
        for task in $(cat "$CGROUP_ROOT/$TABLE_CGROUP/cgroup.procs" 2>/dev/null); do
            echo "$task" > "$CGROUP_ROOT/cgroup.procs" 2>/dev/null || true
        done
        rmdir "$CGROUP_ROOT/$TABLE_CGROUP" 2>/dev/null || true
    fi
    TABLE=$(python3 "$ROOT/bench/syscall_table.py" "$TABLE_FILE")
}

stop_tool() { # stop_tool PID: SIGINT (perf and strace write their summary then), and wait for it
    kill -INT "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}

pick_tracers() { # sets COUNTERS (perf|proc) and TRACER ("perf trace"|strace) for this machine
    COUNTERS=proc; TRACER=strace
    have_perf && COUNTERS=perf
    if [[ "$COUNTERS" == perf ]] && [[ -w "$CGROUP_ROOT" ]] && perf trace -s -- true >/dev/null 2>&1; then
        TRACER="perf trace"
    fi
    [[ -n "${FORCE_TRACER:-}" ]] && TRACER=$FORCE_TRACER
    [[ -n "${FORCE_COUNTERS:-}" ]] && COUNTERS=$FORCE_COUNTERS
    return 0
}
