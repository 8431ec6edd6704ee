package dev.surf.models.refiner.train;

/** The interpolation a degradation resize uses, drawn per clip as Real-ESRGAN draws its resize mode. */
public enum ResizeFilter {
    /** Bilinear, align_corners=false, no antialias (torch's {@code F.interpolate(mode="bilinear")}). */
    BILINEAR,
    /** Keys cubic convolution with a = -0.5, align_corners=false, edge samples repeated. */
    BICUBIC,
    /** Area (adaptive average pooling), torch's {@code mode="area"}. */
    AREA
}
