package dev.surf.core.io;

import java.nio.file.Files;
import java.nio.file.Path;

/** A child process for {@link AtomicOutputTest}: starts a folder and a file output, says so, then keeps writing. */
public final class SlowWriter {
    private SlowWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        AtomicOutput frames = AtomicOutput.folder(dir.resolve("video-42"));
        AtomicOutput file = AtomicOutput.file(dir.resolve("latent-42.safetensors"));
        Files.write(frames.temp().resolve("frame_00000.png"), new byte[] {1});
        Files.write(file.temp(), new byte[] {1});
        System.out.println("writing");
        System.out.flush();
        for (int i = 1; i < 600; i++) {
            Files.write(frames.temp().resolve(String.format("frame_%05d.png", i)), new byte[] {1});
            Thread.sleep(100);
        }
    }
}
