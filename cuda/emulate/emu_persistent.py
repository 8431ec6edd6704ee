"""Interleaving model of cuda/gemm_persistent.cu's tile scheduler and mbarrier pipeline.

emu_wgmma.py covers the data layout (swizzle, descriptors, accumulator mapping), which the persistent
kernel shares with gemm_wgmma.cu. What it adds, the schedule, is modelled here: one producer thread and
8 consumer warps written exactly as the kernel's loops (ring slot it % STAGES, parity (it / STAGES) & 1
carried across tiles, arrive.expect_tx of the full stage, release of slot it - 1 after wait_group 1 and
of the tile's last slot after wait_group 0), against mbarriers as the PTX ISA defines them (a phase
completes when its pending arrivals and its transaction count both reach zero; try_wait.parity p
returns once the phase of parity p has completed, i.e. the current phase parity differs from p). TMA
writes (the two boxes of a stage), wgmma operand reads and wgmma group completion are asynchronous
events fired in random order. The model checks: every tile is visited by exactly one block, in the
same order by the producer and the consumers; every wgmma group reads the slice (tile, kt) it
expects, after both boxes landed; no TMA write hits a slot that an incomplete wgmma group still reads
(the WAR race); no deadlock. Mutations of the classic mistakes (parity reset per tile, slot released
before the wgmma that read it retired, the last slot of a tile never released, expect_tx of one box
only) must each fail, which shows the model can see them. Hardware misunderstandings shared by model
and kernel stay invisible: the GPU test decides.

    python3 cuda/emulate/emu_persistent.py
"""
import random

BM, BN, STAGES, CONSUMER_WARPS, GROUP_M = 128, 256, 4, 8, 8
TILE_A, TILE_B = BM * 128, BN * 128
STAGE_BYTES = TILE_A + TILE_B


def tile_origin(t, tiles_m, tiles_n):
    per_group = GROUP_M * tiles_n
    first_m = (t // per_group) * GROUP_M
    group_rows = min(tiles_m - first_m, GROUP_M)
    return (first_m + (t % per_group) % group_rows) * BM, ((t % per_group) // group_rows) * BN


class MBar:
    def __init__(self, count):
        self.count, self.pending, self.tx, self.phase = count, count, 0, 0  # phase = completed phases

    def _complete(self):
        if self.pending == 0 and self.tx == 0:
            self.phase += 1
            self.pending = self.count

    def arrive(self, expect_tx=0):
        assert self.pending > 0, "arrival on a barrier with no pending arrivals"
        self.tx += expect_tx
        self.pending -= 1
        self._complete()

    def complete_tx(self, nbytes):
        self.tx -= nbytes
        self._complete()

    def parity_done(self, parity):
        return (self.phase & 1) != parity


class Failure(Exception):
    pass


class Block:
    def __init__(self, bid, grid, tiles_m, tiles_n, kt_count, mutant, rng):
        self.bid, self.grid, self.tiles_m, self.tiles_n, self.kt = bid, grid, tiles_m, tiles_n, kt_count
        self.mutant, self.rng = mutant, rng
        self.full = [MBar(1) for _ in range(STAGES)]
        self.empty = [MBar(CONSUMER_WARPS) for _ in range(STAGES)]
        self.slot = [[None, None] for _ in range(STAGES)]  # the (tile, kt) each box of a stage holds
        self.readers = [set() for _ in range(STAGES)]      # incomplete wgmma groups reading a stage
        self.live = set()                                  # every incomplete wgmma group
        self.events = []                                   # pending asynchronous events
        self.visited = {"producer": [], **{w: [] for w in range(CONSUMER_WARPS)}}
        self.agents = [self.producer()] + [self.consumer(w) for w in range(CONSUMER_WARPS)]
        self.waits = [None] * len(self.agents)

    def my_tiles(self):
        return range(self.bid, self.tiles_m * self.tiles_n, self.grid)

    # ---- the kernel's loops
    def producer(self):
        it = 0
        for t in self.my_tiles():
            self.visited["producer"].append(tile_origin(t, self.tiles_m, self.tiles_n))
            if self.mutant == "reset_per_tile":
                it = 0
            for kt in range(self.kt):
                st = it % STAGES
                yield lambda st=st, par=((it // STAGES) & 1) ^ 1: self.empty[st].parity_done(par)
                self.full[st].arrive(TILE_A if self.mutant == "expect_one_box" else STAGE_BYTES)
                for box, nbytes in ((0, TILE_A), (1, TILE_B)):
                    self.events.append(("tma", st, box, nbytes, (t, kt)))
                it += 1

    def consumer(self, w):
        groups = []  # this warp's committed, incomplete wgmma groups (ids)
        it = 0
        for t in self.my_tiles():
            self.visited[w].append(tile_origin(t, self.tiles_m, self.tiles_n))
            if self.mutant == "reset_per_tile":
                it = 0
            for kt in range(self.kt):
                st = it % STAGES
                yield lambda st=st, par=(it // STAGES) & 1: self.full[st].parity_done(par)
                gid = (w, it)
                groups.append(gid)
                self.readers[st].add(gid)
                self.live.add(gid)
                self.events.append(("read", st, gid, (t, kt)))
                if self.mutant == "release_before_wait" and kt > 0:
                    self.empty[(it - 1) % STAGES].arrive()
                yield lambda: all(g not in self.live for g in groups[:-1])  # wgmma.wait_group 1
                if self.mutant != "release_before_wait" and kt > 0:
                    self.empty[(it - 1) % STAGES].arrive()
                it += 1
            yield lambda: all(g not in self.live for g in groups)  # wgmma.wait_group 0
            if self.mutant != "no_tail_release":
                self.empty[(it - 1) % STAGES].arrive()

    # ---- asynchronous hardware
    def fire(self, ev):
        if ev[0] == "tma":
            _, st, box, nbytes, what = ev
            if self.readers[st]:
                raise Failure(f"TMA write of {what} into stage {st} while wgmma groups {sorted(self.readers[st])} "
                              "may still read it")
            self.slot[st][box] = what
            self.full[st].complete_tx(nbytes)
        elif ev[0] == "read":
            _, st, gid, what = ev
            if self.slot[st] != [what, what]:
                raise Failure(f"wgmma group {gid} read stage {st} holding {self.slot[st]}, expected {what}")
            self.events.append(("retire", st, gid))
        else:
            _, st, gid = ev
            self.readers[st].discard(gid)
            self.live.discard(gid)

    def run(self):
        done = [False] * len(self.agents)
        while True:
            ready = []
            for i, a in enumerate(self.agents):
                if done[i]:
                    continue
                if self.waits[i] is None or self.waits[i]():
                    ready.append(("agent", i))
            ready += [("event", j) for j in range(len(self.events))]
            if not ready:
                if all(done):
                    return
                raise Failure("deadlock: every thread waits and no copy or wgmma is in flight")
            kind, i = self.rng.choice(ready)
            if kind == "event":
                self.fire(self.events.pop(i))
                continue
            try:
                self.waits[i] = next(self.agents[i])
            except StopIteration:
                done[i] = True


def run_kernel(m, n, k, sms, mutant=None, seed=0):
    tiles_m, tiles_n = -(-m // BM), -(-n // BN)
    tiles = tiles_m * tiles_n
    grid = min(tiles, sms)
    kt = -(-k // 64)
    rng = random.Random(seed)
    seen = []
    # the pipeline of the first two blocks and the last one (they differ only in their tile lists);
    # the tile lists of all
    simulated = {0, min(1, grid - 1), grid - 1}
    for bid in range(grid):
        b = Block(bid, grid, tiles_m, tiles_n, kt, mutant, rng)
        if bid in simulated:
            b.run()
            order = b.visited["producer"]
            if any(b.visited[w] != order for w in range(CONSUMER_WARPS)):
                raise Failure(f"block {bid}: producer and consumers walk different tiles")
        else:
            order = [tile_origin(t, tiles_m, tiles_n) for t in b.my_tiles()]
        seen += order
    want = sorted((i * BM, j * BN) for i in range(tiles_m) for j in range(tiles_n))
    if sorted(seen) != want:
        raise Failure("tiles not visited exactly once")


# (M, N, K, SMs): one tile; fewer slices than stages; K slices not a multiple of the ring (the stage of a
# tile's first slice moves from tile to tile); several tiles per block with ragged grids; grouped order
# with a partial last group of M-tiles
SHAPES = [(1, 1, 8, 132), (300, 520, 512, 4), (4099, 1800, 1064, 132), (4200, 1536, 256, 7),
          (1000, 1536, 1536, 5), (389, 517, 1000, 3), (2000, 300, 136, 5), (131, 255, 264, 1)]
MUTANTS = ["reset_per_tile", "release_before_wait", "no_tail_release", "expect_one_box"]

if __name__ == "__main__":
    for m, n, k, sms in SHAPES:
        for seed in range(3):
            run_kernel(m, n, k, sms, seed=seed)
        print(f"gemm_persistent schedule M={m} N={n} K={k} on {sms} SMs: ok (3 random interleavings)")
    for mutant in MUTANTS:
        caught = None
        for m, n, k, sms in SHAPES:
            for seed in range(3):
                try:
                    run_kernel(m, n, k, sms, mutant, seed)
                except (Failure, AssertionError) as e:
                    caught = f"M={m} N={n} K={k}: {e}"
                    break
            if caught:
                break
        print(f"mutant {mutant}: {'caught, ' + caught[:110] if caught else 'NOT CAUGHT'}")
        assert caught, f"the model cannot see mutant {mutant}"
