package dev.surf.core;

/** Spatial interpolation over the last two dimensions, with PyTorch's {@code F.interpolate} semantics. */
public enum ResizeMode {
    /** Bilinear, align_corners=False, no antialias: source coordinate (i + 0.5) * in/out - 0.5, clamped at 0. */
    BILINEAR,
    /** Area (adaptive average pooling): output i averages input rows [floor(i*in/out), ceil((i+1)*in/out)). */
    AREA,
    /** Nearest-exact: source index min(floor((i + 0.5) * in/out), in - 1). */
    NEAREST_EXACT
}
