package dev.surf.models.vae;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Official Wan-VAE parameter names and their diffusers ({@code AutoencoderKLWan}) twins, spec/wan21.md
 * §4.5. The decoder asks for official names; a diffusers checkpoint is read through
 * {@link #toDiffusers}. The mapping is a pure rename: every tensor keeps its shape.
 *
 * <p>The official decoder numbers its upsampling modules in one flat list (residual blocks of a level,
 * then that level's upsampler); diffusers groups them per level ({@code up_blocks.L.resnets.j},
 * {@code up_blocks.L.upsamplers.0}), so the rename depends on the blocks per level.
 */
public final class VaeKeys {
    private static final Pattern UPSAMPLES = Pattern.compile("decoder\\.upsamples\\.(\\d+)\\.(.*)");
    private static final Pattern MIDDLE = Pattern.compile("decoder\\.middle\\.(\\d+)\\.(.*)");
    private static final Pattern ENCODER_MIDDLE = Pattern.compile("encoder\\.middle\\.(\\d+)\\.(.*)");
    private static final Pattern DOWNSAMPLES = Pattern.compile("encoder\\.downsamples\\.(\\d+)\\.(.*)");

    private VaeKeys() {
    }

    /** The official-to-diffusers rename for a decoder with this configuration. */
    public static UnaryOperator<String> toDiffusers(WanVaeConfig config) {
        int perLevel = config.numResBlocks() + 1;
        return name -> toDiffusers(name, perLevel);
    }

    /** The diffusers name of an official decoder parameter; {@code perLevel} residual blocks per level. */
    static String toDiffusers(String official, int perLevel) {
        if (official.startsWith("encoder.") || official.startsWith("conv1.")) {
            return encoderToDiffusers(official);
        }
        if (official.startsWith("conv2.")) {
            return "post_quant_conv." + official.substring("conv2.".length());
        }
        if (official.startsWith("decoder.conv1.")) {
            return "decoder.conv_in." + official.substring("decoder.conv1.".length());
        }
        if (official.startsWith("decoder.head.0.")) {
            return "decoder.norm_out." + official.substring("decoder.head.0.".length());
        }
        if (official.startsWith("decoder.head.2.")) {
            return "decoder.conv_out." + official.substring("decoder.head.2.".length());
        }
        Matcher m = MIDDLE.matcher(official);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(1));
            if (i == 1) {
                return "decoder.mid_block.attentions.0." + m.group(2);
            }
            return "decoder.mid_block.resnets." + (i / 2) + "." + residual(m.group(2));
        }
        m = UPSAMPLES.matcher(official);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(1));
            // each level: perLevel residual blocks, then one upsampler (the last level has none)
            int level = i / (perLevel + 1);
            int j = i % (perLevel + 1);
            if (j == perLevel) {
                return "decoder.up_blocks." + level + ".upsamplers.0." + m.group(2);
            }
            return "decoder.up_blocks." + level + ".resnets." + j + "." + residual(m.group(2));
        }
        return official;
    }

    /**
     * The encoder side: {@code conv1} -> {@code quant_conv}, {@code encoder.conv1 / head.0 / head.2} ->
     * {@code conv_in / norm_out / conv_out}, the middle as in the decoder, and the flat
     * {@code downsamples.i} list -> the equally flat {@code down_blocks.i} (residual blocks renamed
     * inside; a downsampler keeps {@code resample.1} and {@code time_conv}).
     */
    private static String encoderToDiffusers(String official) {
        String[][] fixed = {
            {"conv1.", "quant_conv."}, {"encoder.conv1.", "encoder.conv_in."},
            {"encoder.head.0.", "encoder.norm_out."}, {"encoder.head.2.", "encoder.conv_out."},
        };
        for (String[] f : fixed) {
            if (official.startsWith(f[0])) {
                return f[1] + official.substring(f[0].length());
            }
        }
        Matcher m = ENCODER_MIDDLE.matcher(official);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(1));
            if (i == 1) {
                return "encoder.mid_block.attentions.0." + m.group(2);
            }
            return "encoder.mid_block.resnets." + (i / 2) + "." + residual(m.group(2));
        }
        m = DOWNSAMPLES.matcher(official);
        if (m.matches()) {
            return "encoder.down_blocks." + m.group(1) + "." + residual(m.group(2));
        }
        return official;
    }

    /** Inside a residual block: residual.0 -> norm1, residual.2 -> conv1, residual.3 -> norm2, residual.6 -> conv2. */
    private static String residual(String rest) {
        String[][] map = {
            {"residual.0.", "norm1."}, {"residual.2.", "conv1."}, {"residual.3.", "norm2."},
            {"residual.6.", "conv2."}, {"shortcut.", "conv_shortcut."},
        };
        for (String[] r : map) {
            if (rest.startsWith(r[0])) {
                return r[1] + rest.substring(r[0].length());
            }
        }
        return rest;
    }
}
