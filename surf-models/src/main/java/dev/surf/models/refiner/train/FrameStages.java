package dev.surf.models.refiner.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Progressive frame counts (the paper trains on 21 frames first, then 81): a list of stages, each a
 * clip length in video frames (1 + 4n) and a number of optimizer steps; the last stage runs to the
 * end of training. Written {@code F1:S1,F2:S2,...,Fn} (the last count may be left out), e.g.
 * {@code 21:2000,81}.
 *
 * @param frames per stage, 1 + 4n each
 * @param steps  per stage (the last one is ignored: the last stage never ends)
 */
public record FrameStages(int[] frames, int[] steps) {
    public FrameStages {
        if (frames.length == 0 || frames.length != steps.length) {
            throw new IllegalArgumentException("--frames needs at least one stage");
        }
        for (int i = 0; i < frames.length; i++) {
            if (frames[i] < 1 || (frames[i] - 1) % 4 != 0) {
                throw new IllegalArgumentException("--frames: " + frames[i] + " is not 1 + 4n (the VAE takes 1, 5, 9, ..., 81 frames)");
            }
            if (i < frames.length - 1 && steps[i] < 1) {
                throw new IllegalArgumentException("--frames: stage " + frames[i] + " needs a positive step count (F:STEPS)");
            }
        }
        frames = frames.clone();
        steps = steps.clone();
    }

    /** One stage for the whole run. */
    public static FrameStages of(int frames) {
        return new FrameStages(new int[] {frames}, new int[] {0});
    }

    /** Parses {@code F1:S1,...,Fn[:Sn]}; the message names --frames. */
    public static FrameStages parse(String spec) {
        String[] parts = spec.trim().split(",");
        List<int[]> stages = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String[] fs = parts[i].trim().split(":");
            try {
                if (fs.length > 2 || (fs.length == 1 && i < parts.length - 1)) {
                    throw new NumberFormatException();
                }
                stages.add(new int[] {Integer.parseInt(fs[0].trim()), fs.length == 2 ? Integer.parseInt(fs[1].trim()) : 0});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--frames '" + spec + "': expected FRAMES:STEPS,...,FRAMES (e.g. 21:2000,81)");
            }
        }
        return new FrameStages(stages.stream().mapToInt(s -> s[0]).toArray(), stages.stream().mapToInt(s -> s[1]).toArray());
    }

    /** The clip length of optimizer step {@code step} (counted from 0). */
    public int framesAt(long step) {
        long end = 0;
        for (int i = 0; i < frames.length - 1; i++) {
            end += steps[i];
            if (step < end) {
                return frames[i];
            }
        }
        return frames[frames.length - 1];
    }

    /** The longest clip of any stage (what clips are cut to). */
    public int maxFrames() {
        int m = 0;
        for (int f : frames) {
            m = Math.max(m, f);
        }
        return m;
    }

    @Override
    public int[] frames() {
        return frames.clone();
    }

    @Override
    public int[] steps() {
        return steps.clone();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < frames.length; i++) {
            b.append(i == 0 ? "" : ",").append(frames[i]);
            if (i < frames.length - 1) {
                b.append(':').append(steps[i]);
            }
        }
        return b.toString();
    }
}
