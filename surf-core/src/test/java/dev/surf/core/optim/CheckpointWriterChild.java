package dev.surf.core.optim;

import dev.surf.core.cpu.CpuBackend;
import java.nio.file.Path;

/**
 * The child process of {@link CheckpointKillTest}: starts writing checkpoint state 2 over the file
 * in args[0] and blocks while copying its last tensor, after printing {@link #MID_WRITE}, until the
 * parent kills it.
 */
public final class CheckpointWriterChild {
    /** Printed (and flushed) once seven of the eight tensors are in the temporary file. */
    static final String MID_WRITE = "mid-write";

    private CheckpointWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        try (CpuBackend cpu = new CpuBackend(1);
             CheckpointState next = new CheckpointState(cpu, 2, t -> FaultyBackend.wrap(t, () -> {
                 System.out.println(MID_WRITE);
                 System.out.flush();
                 try {
                     Thread.sleep(120_000);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             }))) {
            next.save(Path.of(args[0]));
        }
        // Reaching here means the parent did not kill us in time; the test then fails on the bytes.
        System.out.println("finished");
    }
}
