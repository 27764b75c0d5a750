#!/usr/bin/env python3
"""Splits a forwarder's CPU profile (folded stacks) into where the time goes, and with the CPU per
data call measured beside the profile, into microseconds per data call.

Usage: bench/profile-split.py [--markdown] [--with FRAME]... SPEC [SPEC ...]
  SPEC is FILE, or LABEL=FILE[,FILE...][:US_PER_DATA_CALL]: the samples of several files (the
  repeats of one case) are added up, and US_PER_DATA_CALL (the forwarder's CPU seconds over its
  data calls, in the same window as the profile: bench/percall.sh prints it) turns each share
  into microseconds per data call. --with FRAME adds a row: the samples whose stack holds a frame
  containing FRAME (e.g. --with yieldInBulk), whatever their category.

Folded stacks are async-profiler's `collapsed` output, or `perf script | bench/collapse_perf.py`:
frames from the root to the leaf joined by ";", then a count; kernel frames end in "_[k]".
Each sample goes to one category:
- kernel samples by the system call they are in (found from the kernel frames, or else from the
  user frame that made the call): write/send, read/recv, epoll, futex, scheduling; the rest is
  syscall entry and exit, or interrupts, timers and faults. On loopback a write's transmit runs
  the peer socket's receive (softirq) in the writer's context: that is inside write/send.
- user samples by the nearest frame, from the leaf up, that says whose work it is (frames such
  as java/nio/Buffer or the clock are looked through, so a Buffer.position called by the pump is
  the pump's): the libc syscall wrappers, the JDK's NIO read/write path, the virtual-thread
  machinery (park, unpark, yield, Continuation, the scheduler, the pollers, oi.threads), the
  forwarder's own code (oi.*, or a native forwarder's own frames), and JIT, GC and the VM.
"""
import re
import sys

KERNEL_CALLS = [  # (category, frame names that mark the call; the first found from the leaf up wins)
    ("write", ("ksys_write", "__x64_sys_write", "do_writev", "__x64_sys_writev", "__sys_sendto",
               "__x64_sys_sendto", "__sys_sendmsg", "__x64_sys_sendmsg", "sock_write_iter", "tcp_sendmsg")),
    ("read", ("ksys_read", "__x64_sys_read", "do_readv", "__x64_sys_readv", "__sys_recvfrom",
              "__x64_sys_recvfrom", "__sys_recvmsg", "__x64_sys_recvmsg", "sock_read_iter", "tcp_recvmsg")),
    ("epoll", ("do_epoll_wait", "__x64_sys_epoll_wait", "__x64_sys_epoll_pwait", "do_epoll_ctl",
               "__x64_sys_epoll_ctl", "ep_poll")),
    ("futex", ("do_futex", "__x64_sys_futex", "futex_wait", "futex_wake")),
    ("sched", ("__x64_sys_sched_yield", "do_sched_yield", "do_nanosleep", "__x64_sys_nanosleep",
               "__x64_sys_clock_nanosleep", "schedule", "__schedule", "finish_task_switch.isra.0")),
]
# The user frame that made a call, for kernel samples whose kernel frames name none (entry, exit).
USER_CALLS = [
    ("write", re.compile(r"(^|_)(write|send|sendto|writev)(@plt)?$|__libc_send|__libc_write|SocketDispatcher_write")),
    ("read", re.compile(r"(^|_)(read|recv|recvfrom|readv)(@plt)?$|__libc_recv|__libc_read|SocketDispatcher_read")),
    ("epoll", re.compile(r"epoll")),
    ("futex", re.compile(r"futex|pthread_cond|__lll_lock|pthread_mutex")),
    ("sched", re.compile(r"sched_yield|nanosleep")),
]
WRITE_PARTS = [("copy into the socket", ("_copy_from_iter", "skb_copy_to_page_nocache")),
               ("transmit, and the loopback receive it runs", ("tcp_write_xmit", "__tcp_push_pending_frames", "tcp_push_one")),
               ("backlog and ACKs on release_sock", ("release_sock",))]
READ_PARTS = [("copy out of the socket", ("_copy_to_iter", "skb_copy_datagram_iter", "__skb_datagram_iter")),
              ("ACK and window update sent", ("tcp_cleanup_rbuf", "__tcp_send_ack", "tcp_send_ack"))]

# User frames, tried from the leaf up: the first that matches a pattern decides; LOOK_THROUGH frames
# are skipped (they are called by everyone); a frame that matches nothing is taken as the
# forwarder's own only when no frame above it says otherwise (a native forwarder's frames).
LOOK_THROUGH = re.compile(r"^(java/nio/(Heap|Direct|Mapped)?(Byte)?Buffer\.|java/nio/Buffer\.|jdk/internal/misc/(Unsafe|ScopedMemoryAccess)"
                          r"|jdk/internal/util/|java/lang/(Math|Object|Integer|Long)\.|java/util/Objects|\[vdso\]|clock_gettime|os::javaTimeNanos"
                          r"|__memcpy|__memmove|memcpy|memmove|__memset|memset)")
USER_RULES = [
    ("libc", re.compile(r"^(__GI_(read|write|__libc_(read|write|recv|send))|__libc_(recv|send|read|write)|(__)?(read|write|recv|send)(@plt)?$"
                        r"|__GI___pthread_(dis|en)able_asynccancel|__pthread_(dis|en)able_asynccancel|__syscall_cancel|syscall$)")),
    ("vthreads", re.compile(r"^(java/lang/VirtualThread|java/lang/Thread\.(yield|sleep|onSpinWait)|jdk/internal/vm/Continuation|java/util/concurrent/"
                            r"|java/lang/System\$\d+\.(un)?parkVirtualThread|jdk/internal/misc/VirtualThreads|sun/nio/ch/(Poller|EPoll)"
                            r"|oi/threads/|cont_|.*[Ff]reeze|.*[Tt]haw|.*Continuation|.*VTMS|Parker::|Unsafe_(Un)?[Pp]ark|StackChunk|.*stackChunk)")),
    ("nio", re.compile(r"^(sun/nio/ch/|Java_sun_nio_ch_|java/nio/channels/|jni_|JNI|NET_|handleSocketError|java/io/FileDescriptor)")),
    ("own", re.compile(r"^oi/")),
    ("jvm", re.compile(r"(CompileBroker|Compile::|Compilation|C2Compiler|Compiler|Phase|GC|G1|Serial|VMThread|VM_|SafepointSynchronize"
                       r"|Interpreter|CodeCache|nmethod|ciEnv|Method::|ClassLoader|SystemDictionary|Universe|Arena|Chunk::|JvmtiExport"
                       r"|AsyncGetCallTrace|Profiler|Symbol)")),
]
JAVA_FRAME = re.compile(r"^[a-z]+[a-z0-9_]*/.*\.")

CATEGORIES = [  # (key, heading)
    ("k:write", "kernel: write/send"), ("k:write:copy into the socket", "  copy into the socket"),
    ("k:write:transmit, and the loopback receive it runs", "  transmit, and the loopback receive it runs"),
    ("k:write:backlog and ACKs on release_sock", "  backlog and ACKs on release_sock"), ("k:write:rest", "  rest"),
    ("k:read", "kernel: read/recv"), ("k:read:copy out of the socket", "  copy out of the socket"),
    ("k:read:ACK and window update sent", "  ACK and window update sent"), ("k:read:rest", "  rest"),
    ("k:epoll", "kernel: epoll"), ("k:futex", "kernel: futex"), ("k:sched", "kernel: scheduling (switches, yields, sleeps)"),
    ("k:entry", "kernel: syscall entry and exit"), ("k:other", "kernel: interrupts, timers, faults, other"),
    ("u:libc", "user: libc syscall wrappers"), ("u:nio", "user: JDK NIO read/write path (SocketChannelImpl, IOUtil, SocketDispatcher, JNI)"),
    ("u:vthreads", "user: virtual threads (park, unpark, yield, Continuation, scheduler, pollers)"),
    ("u:own", "user: the forwarder's own code (oi.tcp.Pump, BufferPool, counters; a native forwarder's own frames)"),
    ("u:jvm", "user: JIT, GC, VM"), ("u:other", "user: other"),
]
TOTALS = [("kernel", "k:"), ("user", "u:")]


def kernel_category(frames):
    """The category of a sample whose leaf is in the kernel."""
    kernel = [f[:-4] for f in frames if f.endswith("_[k]")]
    user = [f for f in frames if not f.endswith("_[k]")]
    names = set(kernel)
    for call, markers in KERNEL_CALLS:
        if any(m in names for m in markers):
            if call in ("write", "read"):
                parts = WRITE_PARTS if call == "write" else READ_PARTS
                part = next((p for p, ms in parts if any(m in names for m in ms)), "rest")
                return [f"k:{call}", f"k:{call}:{part}"]
            return [f"k:{call}"]
    interrupt = any(n.startswith(("asm_sysvec", "asm_common_interrupt", "asm_exc_", "irq_", "__irq_exit", "sysvec_"))
                    for n in kernel)
    if not interrupt and any(n in ("do_syscall_64", "entry_SYSCALL_64_after_hwframe", "syscall_exit_to_user_mode") for n in kernel):
        for frame in reversed(user):
            for call, pattern in USER_CALLS:
                if pattern.search(frame):
                    return [f"k:{call}", f"k:{call}:rest"] if call in ("write", "read") else [f"k:{call}"]
        return ["k:entry"]
    return ["k:other"]


def user_category(frames, java):
    """The category of a sample whose leaf is in user space (the JVM, the JDK, libc or the forwarder);
    java: whether the profile is a JVM's."""
    for frame in reversed(frames):
        if LOOK_THROUGH.search(frame):
            continue
        for key, pattern in USER_RULES:
            if pattern.search(frame) and (java or key == "libc"):
                return f"u:{key}"
    # In a JVM, a frame nothing above claims; in a native forwarder, whatever is not libc is its own.
    return "u:other" if java else "u:own"


def split(paths, extra=()):
    counts, total = {}, 0
    for path in paths:
        stacks = []
        with open(path) as f:
            for line in f:
                stack, _, n = line.rstrip("\n").rpartition(" ")
                if stack and n.isdigit():
                    stacks.append((stack.split(";"), int(n)))
        java = any(JAVA_FRAME.search(frame) for frames, _ in stacks for frame in frames)
        for frames, n in stacks:
            total += n
            keys = kernel_category(frames) if frames[-1].endswith("_[k]") else [user_category(frames, java)]
            keys += [f"with:{frame}" for frame in extra if any(frame in f for f in frames)]
            for key in keys:
                counts[key] = counts.get(key, 0) + n
    return counts, total


def parse_spec(spec):
    label, sep, rest = spec.partition("=")
    if not sep:
        label, rest = spec, spec
    files, _, us = rest.rpartition(":") if re.search(r":[0-9.]+$", rest) else (rest, "", "")
    return label, files.split(","), float(us) if us else None


def main(argv):
    markdown = "--markdown" in argv
    argv = [a for a in argv if a != "--markdown"]
    extra = [argv[i + 1] for i, a in enumerate(argv) if a == "--with" and i + 1 < len(argv)]
    specs = [parse_spec(a) for i, a in enumerate(argv) if a != "--with" and (i == 0 or argv[i - 1] != "--with")]
    if not specs:
        sys.exit(__doc__)
    results = [(label, us) + split(files, extra) for label, files, us in specs]
    rows = [(h, k) for k, h in CATEGORIES]
    rows = [(f"{name} (all)", prefix) for name, prefix in TOTALS] + rows + [(f"stacks with {f}", f"with:{f}") for f in extra]
    headings = []
    for label, us, _, total in results:
        headings.append(f"{label} % of {total} samples")
        if us is not None:
            headings.append(f"{label} µs per data call (of {us:.2f})")

    def cells(key):
        out = []
        for label, us, counts, total in results:
            if key.endswith(":"):
                n = sum(v for k, v in counts.items() if k.startswith(key) and k.count(":") == 1)
            else:
                n = counts.get(key, 0)
            share = n / total if total else 0
            out.append(f"{100 * share:.1f}")
            if us is not None:
                out.append(f"{share * us:.2f}")
        return out

    if markdown:
        print("| category | " + " | ".join(headings) + " |")
        print("|---" * (len(headings) + 1) + "|")
        for heading, key in rows:
            print(f"| {heading} | " + " | ".join(cells(key)) + " |")
    else:
        width = max(len(h) for h, _ in rows)
        print("category".ljust(width) + "".join(h.rjust(max(12, len(h) + 2)) for h in headings))
        for heading, key in rows:
            print(heading.ljust(width) + "".join(c.rjust(max(12, len(h) + 2)) for c, h in zip(cells(key), headings)))


if __name__ == "__main__":
    main(sys.argv[1:])
