"""Interleaved timing: every contender runs in each round, so machine noise
hits all of them alike; we report the median per-call time over rounds."""
import statistics
import time


def interleaved(contenders, calls_per_round=200, rounds=15, warmup=50):
    """contenders: {name: zero-argument callable}. Returns {name: median seconds per call}."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(calls_per_round):
                fn()
            samples[name].append((time.perf_counter() - start) / calls_per_round)
    return {name: statistics.median(s) for name, s in samples.items()}


def print_table(title, times, baseline, extra_ratios=()):
    print(f"\n{title}")
    width = max(len(n) for n in times)
    for name, t in times.items():
        line = f"  {name:<{width}}  {t * 1e6:9.1f} us   {t / times[baseline]:5.2f}x {baseline}"
        for other in extra_ratios:
            if other in times and other != name:
                line += f"   {t / times[other]:5.2f}x {other}"
        print(line)
