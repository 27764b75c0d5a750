# Shell helpers shared by the bench scripts; source it, don't run it.

# wait_listening PORT [NETNS] [TRIES]: until a TCP socket listens on PORT (TRIES x 0.1 s, 10 s by default;
# 0 looks once).
# It reads the kernel's socket table instead of connecting: a probe connection would count
# as a client, and iperf3's server treats one as a test, then turns the real client away.
wait_listening() {
    local hex run=()
    hex=$(printf ':%04X' "$1")
    [[ -n "${2:-}" ]] && run=(ip netns exec "$2")
    for _ in $(seq 0 "${3:-100}"); do
        "${run[@]}" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null \
            | awk -v port="$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 } END { exit !found }' \
            && return 0
        sleep 0.1
    done
    return 1
}
