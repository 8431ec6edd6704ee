"""Interleaving model of cuda/gemm_persistent.cu's tile schedulers and mbarrier pipeline.

emu_wgmma.py covers the data layout (swizzle, descriptors, accumulator mapping), which the persistent
kernels share with gemm_wgmma.cu. What this model adds is the schedule, for both variants:
  * cooperative (gemm_bf16_persistent): 8 consumer warps on every tile, 4 stages, a slot released by
    8 warps;
  * ping-pong (gemm_bf16_pingpong): warps 0-3 take the block's tiles 0, 2, ..., warps 4-7 tiles 1, 3,
    ...; 6 stages; a slot released by the 4 warps that read it; each warpgroup starts a tile only
    after the other is past the main loop of the previous tile (the kernel's turn barriers).

How it is written:
  * One producer thread and the consumer warps follow the kernel's loops: ring slot it % STAGES,
    parity (it / STAGES) & 1 carried across tiles (ping-pong: it = local tile x KT), arrive.expect_tx
    of the full stage, release of slot it - 1 after wait_group 1, and of the tile's last slot after
    wait_group 0.
  * mbarriers behave as the PTX ISA defines them: a phase completes when its pending arrivals and its
    transaction count both reach zero; try_wait.parity p returns once the phase of parity p has
    completed, i.e. the current phase parity differs from p.
  * TMA writes (the two boxes of a stage), wgmma operand reads and wgmma group completion are
    asynchronous events, fired in random order.

What it checks:
  * every tile is visited by exactly one block, in the producer's order by the consumers;
  * every wgmma group reads the slice (tile, kt) it expects, after both boxes landed;
  * no TMA write hits a slot that an incomplete wgmma group still reads (the WAR race);
  * no deadlock.

Mutations of the classic mistakes must each fail, which shows the model can see them: parity reset
per tile, a slot released before the wgmma that read it retired, the last slot of a tile never
released, expect_tx of one box only. For ping-pong also: a slice counter that skips the other
warpgroup's slices, and no turns. Without turns, a parity wait passes on a stage two phases behind.
Hardware misunderstandings shared by model and kernel stay invisible: the GPU test decides.

    python3 cuda/lab/emulate/emu_persistent.py
"""
import random

BM, CONSUMER_WARPS, GROUP_M = 128, 8, 8
TILE_A = BM * 128


class Sched:
    """The kernel's two schedules (Sched<PINGPONG> in gemm_persistent.cu)."""
    def __init__(self, pingpong):
        self.pingpong = pingpong
        self.bn = 128 if pingpong else 256
        self.tile_b = self.bn * 128
        self.stage_bytes = TILE_A + self.tile_b
        self.stages = 192 * 1024 // self.stage_bytes
        self.slot_readers = 4 if pingpong else 8


def tile_origin(t, tiles_m, tiles_n, bn):
    per_group = GROUP_M * tiles_n
    first_m = (t // per_group) * GROUP_M
    group_rows = min(tiles_m - first_m, GROUP_M)
    return (first_m + (t % per_group) % group_rows) * BM, ((t % per_group) // group_rows) * bn


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
    def __init__(self, bid, grid, tiles_m, tiles_n, kt_count, mutant, rng, sched):
        self.bid, self.grid, self.tiles_m, self.tiles_n, self.kt = bid, grid, tiles_m, tiles_n, kt_count
        self.mutant, self.rng, self.s = mutant, rng, sched
        stages = sched.stages
        self.full = [MBar(1) for _ in range(stages)]
        self.empty = [MBar(sched.slot_readers) for _ in range(stages)]
        self.slot = [[None, None] for _ in range(stages)]  # the (tile, kt) each box of a stage holds
        self.readers = [set() for _ in range(stages)]      # incomplete wgmma groups reading a stage
        self.live = set()                                  # every incomplete wgmma group
        self.events = []                                   # pending asynchronous events
        self.visited = {"producer": [], **{w: [] for w in range(CONSUMER_WARPS)}}
        self.turn_done = {}  # ping-pong: local tile -> warps of its warpgroup past its main loop
        self.agents = [self.producer()] + [self.consumer(w) for w in range(CONSUMER_WARPS)]
        self.waits = [None] * len(self.agents)

    def my_tiles(self):
        return range(self.bid, self.tiles_m * self.tiles_n, self.grid)

    # ---- the kernel's loops
    def producer(self):
        s = self.s
        it = 0
        for t in self.my_tiles():
            self.visited["producer"].append(tile_origin(t, self.tiles_m, self.tiles_n, s.bn))
            if self.mutant == "reset_per_tile":
                it = 0
            for kt in range(self.kt):
                st = it % s.stages
                yield lambda st=st, par=((it // s.stages) & 1) ^ 1: self.empty[st].parity_done(par)
                self.full[st].arrive(TILE_A if self.mutant == "expect_one_box" else s.stage_bytes)
                for box, nbytes in ((0, TILE_A), (1, s.tile_b)):
                    self.events.append(("tma", st, box, nbytes, (t, kt)))
                it += 1

    def consumer_tiles(self, w):
        """(local index, tile) pairs warp w works on: every tile (cooperative), or its warpgroup's
        alternate tiles (ping-pong: warps 0-3 the block's tiles 0, 2, ..., warps 4-7 tiles 1, 3, ...)."""
        tiles = list(enumerate(self.my_tiles()))
        return tiles[w // 4::2] if self.s.pingpong else tiles

    def consumer(self, w):
        s = self.s
        groups = []  # this warp's committed, incomplete wgmma groups (ids)
        it = 0
        for local, t in self.consumer_tiles(w):
            self.visited[w].append(tile_origin(t, self.tiles_m, self.tiles_n, s.bn))
            if s.pingpong and self.mutant != "pingpong_shared_counter":
                it = local * self.kt  # the kernel: it = local * KT at each of its tiles
            if s.pingpong and local > 0 and self.mutant != "no_turns":
                # named_sync on this warpgroup's turn: the other one is past the main loop of tile local - 1
                yield lambda prev=local - 1: self.turn_done.get(prev, 0) == 4
            if self.mutant == "reset_per_tile":
                it = 0
            for kt in range(self.kt):
                st = it % s.stages
                yield lambda st=st, par=(it // s.stages) & 1: self.full[st].parity_done(par)
                gid = (w, it)
                groups.append(gid)
                self.readers[st].add(gid)
                self.live.add(gid)
                self.events.append(("read", st, gid, (t, kt)))
                if self.mutant == "release_before_wait" and kt > 0:
                    self.empty[(it - 1) % s.stages].arrive()
                yield lambda: all(g not in self.live for g in groups[:-1])  # wgmma.wait_group 1
                if self.mutant != "release_before_wait" and kt > 0:
                    self.empty[(it - 1) % s.stages].arrive()
                it += 1
            if s.pingpong:  # named_arrive on the other warpgroup's turn
                self.turn_done[local] = self.turn_done.get(local, 0) + 1
            yield lambda: all(g not in self.live for g in groups)  # wgmma.wait_group 0
            if self.mutant != "no_tail_release":
                self.empty[(it - 1) % s.stages].arrive()

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


def run_kernel(m, n, k, sms, mutant=None, seed=0, pingpong=False):
    sched = Sched(pingpong)
    tiles_m, tiles_n = -(-m // BM), -(-n // sched.bn)
    tiles = tiles_m * tiles_n
    grid = min(tiles, sms)
    kt = -(-k // 64)
    rng = random.Random(seed)
    seen = []
    # the pipeline of the first two blocks and the last one (they differ only in their tile lists);
    # the tile lists of all
    simulated = {0, min(1, grid - 1), grid - 1}
    for bid in range(grid):
        b = Block(bid, grid, tiles_m, tiles_n, kt, mutant, rng, sched)
        if bid in simulated:
            b.run()
            order = b.visited["producer"]
            for w in range(CONSUMER_WARPS):
                if b.visited[w] != (order[w // 4::2] if pingpong else order):
                    raise Failure(f"block {bid}: producer and consumer warp {w} walk different tiles")
        else:
            order = [tile_origin(t, tiles_m, tiles_n, sched.bn) for t in b.my_tiles()]
        seen += order
    want = sorted((i * BM, j * sched.bn) for i in range(tiles_m) for j in range(tiles_n))
    if sorted(seen) != want:
        raise Failure("tiles not visited exactly once")


# (M, N, K, SMs): one tile; fewer slices than stages; K slices not a multiple of the ring (the stage of a
# tile's first slice moves from tile to tile); several tiles per block with ragged grids; grouped order
# with a partial last group of M-tiles
SHAPES = [(1, 1, 8, 132), (300, 520, 512, 4), (4099, 1800, 1064, 132), (4200, 1536, 256, 7),
          (1000, 1536, 1536, 5), (389, 517, 1000, 3), (2000, 300, 136, 5), (131, 255, 264, 1)]
MUTANTS = ["reset_per_tile", "release_before_wait", "no_tail_release", "expect_one_box"]

if __name__ == "__main__":
    for pingpong in (False, True):
        name = "pingpong" if pingpong else "cooperative"
        for m, n, k, sms in SHAPES:
            for seed in range(3):
                run_kernel(m, n, k, sms, seed=seed, pingpong=pingpong)
            print(f"{name} schedule M={m} N={n} K={k} on {sms} SMs: ok (3 random interleavings)")
        for mutant in MUTANTS + (["pingpong_shared_counter", "no_turns"] if pingpong else []):
            caught = None
            for m, n, k, sms in SHAPES:
                for seed in range(3):
                    try:
                        run_kernel(m, n, k, sms, mutant, seed, pingpong)
                    except (Failure, AssertionError) as e:
                        caught = f"M={m} N={n} K={k}: {e}"
                        break
                if caught:
                    break
            print(f"{name} mutant {mutant}: {'caught, ' + caught[:110] if caught else 'NOT CAUGHT'}")
            assert caught, f"the model cannot see mutant {mutant}"
