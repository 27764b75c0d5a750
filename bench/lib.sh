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

# nginx_backend DIR PORT [HTTP_LINES] [LISTEN_OPTIONS]: nginx-light on 127.0.0.1:PORT serving a
# 100-byte page from DIR/www with one worker, its pid in DIR/nginx-PORT.pid; HTTP_LINES go into its
# http block (`access_log off;` when none), LISTEN_OPTIONS after its listen address (e.g.
# proxy_protocol). DIR is opened to others: nginx's workers read it as nobody.
nginx_backend() {
    mkdir -p "$1/www"; chmod 755 "$1" "$1/www"; head -c 100 /dev/zero > "$1/www/index.html"
    cat > "$1/nginx-$2.conf" <<NG
worker_processes 1; pid $1/nginx-$2.pid; error_log $1/nginx-$2.err;
events { worker_connections 4096; }
http { ${3:-access_log off;} keepalive_requests 1000000; server { listen 127.0.0.1:$2 reuseport ${4:-}; root $1/www; } }
NG
    nginx -c "$1/nginx-$2.conf" && wait_listening "$2"
}
