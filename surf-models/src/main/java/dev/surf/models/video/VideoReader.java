package dev.surf.models.video;

import java.io.IOException;

/**
 * A source of video frames read one at a time, so a long video is never held whole: an MP4 / WebM /
 * MOV through ffmpeg ({@link FfmpegVideoReader}), a folder of PNG / JPEG frames
 * ({@link FrameFolderReader}) or a safetensors tensor ({@link SafetensorsVideoReader}). Frames are
 * channels-first RGB floats [3, H, W] in [-1, 1], the encoder's input convention (the official
 * {@code to_tensor(img).sub_(0.5).div_(0.5)}: b / 255 mapped to [-1, 1]).
 */
public interface VideoReader extends AutoCloseable {
    /** Frame width in pixels (every frame has the same size). */
    int width();

    /** Frame height in pixels. */
    int height();

    /** The next frame, 3 H W floats (channel planes), or null after the last one. */
    float[] next() throws IOException;

    /** What is read, for messages: the file or folder. */
    String describe();

    @Override
    void close() throws IOException;

    /** 8-bit RGB (interleaved, as decoders give it) to a channels-first frame in [-1, 1]. */
    static float[] fromRgb(byte[] rgb, int width, int height) {
        int plane = width * height;
        float[] f = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                f[c * plane + p] = ((rgb[3 * p + c] & 0xff) / 255f - 0.5f) / 0.5f;
            }
        }
        return f;
    }
}
