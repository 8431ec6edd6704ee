package dev.surf.models.world.data;

import dev.surf.models.refiner.train.TrainingClips;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The clips of a folder of videos as a {@link ClipSource}: {@link TrainingClips#scan} cuts each video
 * into clips of the given length at the given size (scaled and centre-cropped) and reads NAME.txt as
 * its caption; e.g. the folder {@code surf world} writes.
 */
public final class FolderClips implements ClipSource {
    private final Path folder;
    private final List<TrainingClips.Clip> clips;
    private final int width;
    private final int height;
    private final int frames;
    private final String ffmpeg;

    private FolderClips(Path folder, List<TrainingClips.Clip> clips, int width, int height, int frames, String ffmpeg) {
        this.folder = folder;
        this.clips = clips;
        this.width = width;
        this.height = height;
        this.frames = frames;
        this.ffmpeg = ffmpeg;
    }

    /**
     * The folder's clips.
     *
     * @param ffmpeg the ffmpeg binary, or null (video files are then refused, naming the file)
     * @throws IOException one line naming the folder or the video that cannot be read
     */
    public static FolderClips scan(Path folder, int frames, int width, int height, String ffmpeg) throws IOException {
        return new FolderClips(folder, TrainingClips.scan(folder, frames, width, height, ffmpeg), width, height, frames, ffmpeg);
    }

    @Override
    public int size() {
        return clips.size();
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int frameCount() {
        return frames;
    }

    @Override
    public float[] frames(int index) throws IOException {
        return TrainingClips.read(clips.get(index), width, height, ffmpeg);
    }

    @Override
    public String caption(int index) {
        return clips.get(index).caption();
    }

    @Override
    public String id(int index) {
        TrainingClips.Clip c = clips.get(index);
        return c.source().toAbsolutePath() + "@" + c.first();
    }

    /** The folder read. */
    public Path folder() {
        return folder;
    }
}
