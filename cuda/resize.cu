// resize.cu -- bilinear, area and nearest-exact resizing of the last two dimensions, with the
// semantics of torch.nn.functional.interpolate (align_corners=False, no antialias).
//
// x is [P, inH, inW] (P = product of the leading dimensions, every plane independent) of any floating
// dtype; y is [P, outH, outW] of the same dtype.
//   BILINEAR       source coordinate (i + 0.5) * in/out - 0.5 clamped at 0, two-tap lerp per axis
//   AREA           output i averages input rows [floor(i in/out), ceil((i+1) in/out)) (adaptive pooling)
//   NEAREST_EXACT  source index min(floor((i + 0.5) in/out), in - 1)
//
// Variant resize: one thread per output element, grid-stride. Coordinates and sums are computed in
// double with the same operation order as the Java reference, and the file is built with
// -fmad=false, so F32 results are bit-identical to the CPU (integer source indices included).
//
// CPU reference: dev.surf.core.cpu.CpuResize.
#include "common.cuh"

#define RESIZE_BILINEAR 0
#define RESIZE_AREA 1
#define RESIZE_NEAREST_EXACT 2

extern "C" __global__ void resize(const void* __restrict__ x, void* __restrict__ y, long long planes, int inH, int inW,
                                  int outH, int outW, int mode, int dt) {
    const long long total = planes * outH * outW;
    GRID_STRIDE(idx, total) {
        const int j = (int)(idx % outW);
        const int i = (int)((idx / outW) % outH);
        const long long p = idx / ((long long)outW * outH);
        const size_t ib = (size_t)p * inH * inW;
        double v;
        if (mode == RESIZE_BILINEAR) {
            const double sh = (double)inH / outH;
            const double sw = (double)inW / outW;
            const double fy = fmax(0.0, (i + 0.5) * sh - 0.5);
            const int y0 = min((int)fy, inH - 1);
            const int y1 = min(y0 + 1, inH - 1);
            const double ly = fy - y0;
            const double fx = fmax(0.0, (j + 0.5) * sw - 0.5);
            const int x0 = min((int)fx, inW - 1);
            const int x1 = min(x0 + 1, inW - 1);
            const double lx = fx - x0;
            const double a = load_dt(x, dt, ib + (size_t)y0 * inW + x0);
            const double b = load_dt(x, dt, ib + (size_t)y0 * inW + x1);
            const double c = load_dt(x, dt, ib + (size_t)y1 * inW + x0);
            const double d = load_dt(x, dt, ib + (size_t)y1 * inW + x1);
            const double top = a * (1 - lx) + b * lx;
            const double bot = c * (1 - lx) + d * lx;
            v = top * (1 - ly) + bot * ly;
        } else if (mode == RESIZE_AREA) {
            const int y0 = (int)((long long)i * inH / outH);
            const int y1 = (int)(((long long)(i + 1) * inH + outH - 1) / outH);
            const int x0 = (int)((long long)j * inW / outW);
            const int x1 = (int)(((long long)(j + 1) * inW + outW - 1) / outW);
            double s = 0;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) s += load_dt(x, dt, ib + (size_t)yy * inW + xx);
            v = s / ((y1 - y0) * (x1 - x0));
        } else {
            const int yy = min((int)floor((i + 0.5) * inH / outH), inH - 1);
            const int xx = min((int)floor((j + 0.5) * inW / outW), inW - 1);
            v = load_dt(x, dt, ib + (size_t)yy * inW + xx);
        }
        store_dt(y, dt, idx, (float)v);
    }
}
