# CPU flame graphs with kernel frames, one format for every forwarder; source it.
#
# oi is sampled by async-profiler in `cpu` mode (perf events, so kernel frames are in), started
# and stopped through `jcmd JVMTI.agent_load` to cover only the load; rinetd and haproxy by
# `perf record -e cpu-clock -g`, folded by bench/collapse_perf.py. Both give collapsed stacks,
# and async-profiler's own converter (tools.profiler:jfr-converter) renders each as HTML.
# Both jars come from Maven Central. Needs ROOT and JAVA_HOME.

ASYNC_PROFILER_VERSION=4.1
ASYNC_PROFILER_LIB="$ROOT/target/async-profiler/libasyncProfiler.so"
JFR_CONVERTER="$HOME/.m2/repository/tools/profiler/jfr-converter/$ASYNC_PROFILER_VERSION/jfr-converter-$ASYNC_PROFILER_VERSION.jar"

fetch_profiler() { # the agent library and the converter, from Maven Central once
    local repo="$HOME/.m2/repository/tools/profiler"
    local jar="$repo/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar"
    [[ -f "$jar" ]] || mvn -q -B -ntp dependency:get -Dartifact=tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION >&2
    [[ -f "$JFR_CONVERTER" ]] || mvn -q -B -ntp dependency:get -Dartifact=tools.profiler:jfr-converter:$ASYNC_PROFILER_VERSION >&2
    mkdir -p "$(dirname "$ASYNC_PROFILER_LIB")"
    [[ -s "$ASYNC_PROFILER_LIB" ]] || unzip -p "$jar" linux-x64/libasyncProfiler.so > "$ASYNC_PROFILER_LIB"
}

# The sampling event for oi: cpu (perf events, kernel frames) where the kernel allows it,
# itimer (no kernel frames) elsewhere; the flame graph's title says which.
profiler_event() {
    if perf stat -e cpu-clock -- true >/dev/null 2>&1; then echo cpu; else echo itimer; fi
}

flame_start() { # flame_start CASE PID FILE_WITHOUT_EXTENSION: starts sampling the forwarder
    FLAME_CASE=$1; FLAME_TARGET=$2; FLAME_FILE=$3; FLAME_PID=""
    if [[ "$1" == oi-* ]]; then
        FLAME_EVENT=$(profiler_event)
        "$JAVA_HOME/bin/jcmd" "$2" JVMTI.agent_load "$ASYNC_PROFILER_LIB" \
            "\"start,event=$FLAME_EVENT,interval=1ms,cstack=vm\"" > "$3.agent.log" 2>&1 \
            || "$JAVA_HOME/bin/jcmd" "$2" JVMTI.agent_load "$ASYNC_PROFILER_LIB" \
            "\"start,event=$FLAME_EVENT,interval=1ms\"" >> "$3.agent.log" 2>&1 || true
    else
        FLAME_EVENT=cpu-clock
        perf record -e cpu-clock -F 999 -g -p "$2" -o "$3.perf.data" > "$3.perf.log" 2>&1 &
        FLAME_PID=$!
        sleep 0.5
    fi
}

flame_stop() { # flame_stop TITLE: writes FILE.collapsed and FILE.html
    local title=$1
    if [[ "$FLAME_CASE" == oi-* ]]; then
        "$JAVA_HOME/bin/jcmd" "$FLAME_TARGET" JVMTI.agent_load "$ASYNC_PROFILER_LIB" \
            "\"stop,file=$FLAME_FILE.collapsed\"" >> "$FLAME_FILE.agent.log" 2>&1 || true
    else
        kill -INT "$FLAME_PID" 2>/dev/null || true
        wait "$FLAME_PID" 2>/dev/null || true
        perf script -i "$FLAME_FILE.perf.data" 2>/dev/null | python3 "$ROOT/bench/collapse_perf.py" > "$FLAME_FILE.collapsed"
        rm -f "$FLAME_FILE.perf.data"
    fi
    if [[ -s "$FLAME_FILE.collapsed" ]]; then
        "$JAVA_HOME/bin/java" -jar "$JFR_CONVERTER" --title "$title ($FLAME_EVENT)" \
            "$FLAME_FILE.collapsed" "$FLAME_FILE.html" > /dev/null 2>&1 || true
    fi
    [[ -s "$FLAME_FILE.html" ]]
}
