// ops_check.cpp -- the other gradient kernels run on the host (emu.h) against double references
// written here (ports of the CPU backend's loops): grad_linear.cu (both layouts, partial tiles),
// norms_grad.cu (LayerNorm, adaLN, RMSNorm and channel RMS norm backward), grad_elementwise.cu (all
// four kernels), grad_gather.cu (resize backward in every mode, embedding backward with repeated ids)
// and conv3d_grad.cu (against the adjoint of a brute-force convolution). Built and run by run.sh.
#include "emu.h"
#include "grad_linear.cu"
#include "grad_elementwise.cu"
#include "norms_grad.cu"
#include "grad_gather.cu"
#include "conv3d_grad.cu"
#include <random>
#include <string>
std::mt19937 G(11);
// n uniform values in [-s, s)
std::vector<float> rnd(size_t n, float s = 1) { std::uniform_real_distribution<float> u(-s, s); std::vector<float> v(n); for (auto& x : v) x = u(G); return v; }
// blocks for a grid-stride kernel: few, so that the loops stride
int grid(long long n, int t) { long long b = (n + t - 1) / t; return (int)std::max(1LL, std::min(b, 8LL)); }

void gemm(int m, int n, int k, int transA) {
  auto a = rnd((size_t)m*k), b = rnd((size_t)k*n); std::vector<float> c((size_t)m*n, NAN); std::vector<double> r((size_t)m*n);
  for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int kk = 0; kk < k; kk++) s += (double)(transA ? a[(size_t)kk*m+i] : a[(size_t)i*k+kk]) * b[(size_t)kk*n+j]; r[(size_t)i*n+j] = s; }
  launch((m+15)/16, (n+15)/16, 256, [&] { grad_gemm(a.data(), 0, b.data(), 0, c.data(), m, n, k, transA); });
  check(("grad_gemm m" + std::to_string(m) + " n" + std::to_string(n) + " k" + std::to_string(k) + (transA ? " A^T" : "")).c_str(), rel_error(c, r));
}
void norm(int rows, int D, int centre, int gainMode, long long rowsPerGain) {
  auto x = rnd((size_t)rows*D, 3); for (auto& v : x) v += 5; auto dy = rnd((size_t)rows*D);
  int nb = rowsPerGain > 0 ? (int)(rows / rowsPerGain) : 1;
  auto gain = rnd((size_t)nb*D, 0.5f);
  std::vector<float> dx((size_t)rows*D, NAN); std::vector<double> r((size_t)rows*D);
  float eps = 1e-6f;
  for (int row = 0; row < rows; row++) {
    size_t o = (size_t)row*D; double mean = 0; if (centre) { for (int j = 0; j < D; j++) mean += x[o+j]; mean /= D; }
    double ss = 0; for (int j = 0; j < D; j++) { double c = x[o+j]-mean; ss += c*c; } double inv = 1.0/std::sqrt(ss/D + eps);
    size_t go = rowsPerGain > 0 ? (size_t)(row / rowsPerGain) * D : 0;
    std::vector<double> xh(D), g(D); double mg = 0, mgx = 0;
    for (int j = 0; j < D; j++) { xh[j] = (x[o+j]-mean)*inv; float gn = gainMode == 0 ? 1.f : (gainMode == 2 ? gain[go+j] + 1.f : gain[go+j]); g[j] = (double)dy[o+j]*gn; mg += g[j]; mgx += g[j]*xh[j]; }
    mg = centre ? mg / D : 0; mgx /= D;
    for (int j = 0; j < D; j++) r[o+j] = inv*(g[j]-mg-xh[j]*mgx);
  }
  NormGradParams p{x.data(), dy.data(), dx.data(), gainMode ? gain.data() : nullptr, rowsPerGain, 0, 0, 0, D, centre, gainMode == 2, eps};
  launch(rows, 1, 256, [&] { row_norm_backward(p); });
  check(("row_norm_backward rows" + std::to_string(rows) + " D" + std::to_string(D) + (centre ? " layerNorm" : " rmsNorm") + " gain" + std::to_string(gainMode)).c_str(), rel_error(dx, r));
}
void losses(long long n) {
  auto a = rnd(n), t = rnd(n); std::vector<float> out(1, NAN);
  for (int mode = 0; mode < 2; mode++) {
    double s = 0; for (long long i = 0; i < n; i++) { double d = (double)a[i]-t[i]; s += mode == 0 ? d*d : std::fabs(d); }
    launch(1, 1, 1024, [&] { loss_mean(a.data(), 0, t.data(), 0, out.data(), n, mode); });
    check(("loss_mean " + std::string(mode ? "l1" : "mse") + " n" + std::to_string(n)).c_str(), rel_error(out, {s / n}));
  }
}
void sumlead(long long rows, long long n) {
  auto x = rnd(rows*n); std::vector<float> out(n, NAN); std::vector<double> r(n);
  for (long long i = 0; i < rows; i++) for (long long j = 0; j < n; j++) r[j] += x[i*n+j];
  launch((int)((n+255)/256), 1, 256, [&] { sum_leading(x.data(), 0, out.data(), rows, n); });
  check(("sum_leading rows" + std::to_string(rows) + " n" + std::to_string(n)).c_str(), rel_error(out, r));
}
void resize(int planes, int inH, int inW, int outH, int outW, int mode) {
  auto dy = rnd((size_t)planes*outH*outW); std::vector<float> dx((size_t)planes*inH*inW, NAN); std::vector<double> acc((size_t)planes*inH*inW);
  for (int p = 0; p < planes; p++) for (int i = 0; i < outH; i++) for (int j = 0; j < outW; j++) {
    double v = dy[((size_t)p*outH+i)*outW+j]; double* A = &acc[(size_t)p*inH*inW];
    if (mode == 0) { double fy = std::max(0.0, (i + 0.5) * ((double) inH / outH) - 0.5); int y0 = std::min((int) fy, inH - 1); int y1 = std::min(y0 + 1, inH - 1); double ly = fy - y0;
      double fx = std::max(0.0, (j + 0.5) * ((double) inW / outW) - 0.5); int x0 = std::min((int) fx, inW - 1); int x1 = std::min(x0 + 1, inW - 1); double lx = fx - x0;
      A[y0*inW+x0] += v*(1-ly)*(1-lx); A[y0*inW+x1] += v*(1-ly)*lx; A[y1*inW+x0] += v*ly*(1-lx); A[y1*inW+x1] += v*ly*lx; }
    else if (mode == 1) { int y0 = (int)((long long)i*inH/outH), y1 = (int)(((long long)(i+1)*inH+outH-1)/outH), x0 = (int)((long long)j*inW/outW), x1 = (int)(((long long)(j+1)*inW+outW-1)/outW);
      double share = v / ((y1-y0)*(x1-x0)); for (int y = y0; y < y1; y++) for (int x = x0; x < x1; x++) A[y*inW+x] += share; }
    else { int y = std::min((int)std::floor((i+0.5)*inH/outH), inH-1), x = std::min((int)std::floor((j+0.5)*inW/outW), inW-1); A[y*inW+x] += v; }
  }
  long long n = (long long)planes*inH*inW;
  launch(grid(n, 256), 1, 256, [&] { resize_backward(dy.data(), 0, dx.data(), planes, inH, inW, outH, outW, mode); });
  check(("resize_backward " + std::to_string(inH) + "x" + std::to_string(inW) + " <- " + std::to_string(outH) + "x" + std::to_string(outW) + " mode " + std::to_string(mode)).c_str(), rel_error(dx, acc));
}
void embed() {
  int ids[] = {5, 5, 0, 9, 5, 2}; int n = 6, dim = 37, vocab = 10;
  auto dy = rnd((size_t)n*dim); std::vector<float> t((size_t)vocab*dim, 0.f); std::vector<double> r((size_t)vocab*dim);
  for (int i = 0; i < n; i++) for (int c = 0; c < dim; c++) r[(size_t)ids[i]*dim+c] += dy[(size_t)i*dim+c];
  launch((dim+255)/256, 1, 256, [&] { embedding_backward(dy.data(), 0, ids, t.data(), n, dim); });
  check("embedding_backward, repeated ids", rel_error(t, r));
}
void conv(int cin, int T, int H, int W, int cout, int kt, int kh, int kw, int pf, int ph, int pw) {
  int to = T + pf - kt + 1, ho = H + 2*ph - kh + 1, wo = W + 2*pw - kw + 1;
  auto x = rnd((size_t)cin*T*H*W), w = rnd((size_t)cout*cin*kt*kh*kw), dy = rnd((size_t)cout*to*ho*wo);
  std::vector<double> rdx(x.size()), rdw(w.size()); std::vector<float> dx(x.size(), NAN), dw(w.size(), NAN);
  // forward adjoint by brute force: y[o,t,y,x] = sum w[o,c,i,j,k] xpad[c, t+i-pf, y+j-ph, x+k-pw]
  for (int o = 0; o < cout; o++) for (int t = 0; t < to; t++) for (int y = 0; y < ho; y++) for (int xx = 0; xx < wo; xx++) {
    double g = dy[(((size_t)o*to+t)*ho+y)*wo+xx];
    for (int c = 0; c < cin; c++) for (int i = 0; i < kt; i++) for (int j = 0; j < kh; j++) for (int k = 0; k < kw; k++) {
      int xt = t+i-pf, xy = y+j-ph, xi = xx+k-pw; if (xt < 0 || xt >= T || xy < 0 || xy >= H || xi < 0 || xi >= W) continue;
      size_t xo = (((size_t)c*T+xt)*H+xy)*W+xi, wi = ((((size_t)o*cin+c)*kt+i)*kh+j)*kw+k;
      rdx[xo] += g*w[wi]; rdw[wi] += g*x[xo]; } }
  ConvGradParams pi{dy.data(), w.data(), dx.data(), 0, 0, cout, cin, T, H, W, kt, kh, kw, to, ho, wo, pf, ph, pw};
  ConvGradParams pw_{dy.data(), x.data(), dw.data(), 0, 0, cout, cin, T, H, W, kt, kh, kw, to, ho, wo, pf, ph, pw};
  launch(grid(x.size(), 256), 1, 256, [&] { conv3d_grad_input(pi); });
  launch(grid(w.size(), 256), 1, 256, [&] { conv3d_grad_weight(pw_); });
  const std::string at = " Cin" + std::to_string(cin) + " Cout" + std::to_string(cout) + " k" + std::to_string(kt) + std::to_string(kh) + std::to_string(kw) + " pad" + std::to_string(pf) + std::to_string(ph) + std::to_string(pw);
  check(("conv3d_grad_input" + at).c_str(), rel_error(dx, rdx));
  check(("conv3d_grad_weight" + at).c_str(), rel_error(dw, rdw));
}
void pointwise(long long n) {
  auto x = rnd(n, 4), dy = rnd(n), t = rnd(n);
  for (long long i = 0; i < n; i += 3) t[i] = x[i];  // sign(0) = 0 for a third of the L1 gradient
  for (int act = 0; act < 3; act++) {
    std::vector<float> dx(n, NAN); std::vector<double> r(n);
    for (long long i = 0; i < n; i++) {
      double v = x[i], d = 1;
      if (act == 1) { double c = std::sqrt(2 / M_PI), th = std::tanh(c * (v + 0.044715 * v * v * v)); d = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v); }
      if (act == 2) { double sg = 1 / (1 + std::exp(-v)); d = sg * (1 + v * (1 - sg)); }
      r[i] = dy[i] * d;
    }
    launch(grid(n, 256), 1, 256, [&] { activation_backward(x.data(), 0, dy.data(), 0, dx.data(), n, act); });
    check(("activation_backward act " + std::to_string(act) + " n" + std::to_string(n)).c_str(), rel_error(dx, r));
  }
  std::vector<float> g(n, NAN); std::vector<double> r(n);
  for (long long i = 0; i < n; i++) { float d = x[i] - t[i]; r[i] = (d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0) / n; }
  launch(grid(n, 256), 1, 256, [&] { l1_loss_grad(x.data(), 0, t.data(), 0, g.data(), n); });
  check(("l1_loss_grad n" + std::to_string(n)).c_str(), rel_error(g, r));
}
void channelNorm(int c, long long n, bool zeros) {
  auto x = rnd((size_t)c * n, 2), dy = rnd((size_t)c * n), gamma = rnd(c, 1.5f);
  if (zeros) for (auto& v : x) v = 0;
  std::vector<float> dx((size_t)c * n, NAN); std::vector<double> r((size_t)c * n);
  float sf = (float)std::sqrt((double)c); double s = sf;
  for (long long p = 0; p < n; p++) {
    double ss = 0, xg = 0;
    for (int ch = 0; ch < c; ch++) { double v = x[ch * n + p]; ss += v * v; xg += v * dy[ch * n + p] * gamma[ch]; }
    double nn = std::max(std::sqrt(ss), 1e-12); bool bounded = std::sqrt(ss) <= 1e-12;
    for (int ch = 0; ch < c; ch++) { double g = (double)dy[ch * n + p] * gamma[ch]; double v = x[ch * n + p];
      r[ch * n + p] = bounded ? s * g / nn : s / nn * (g - v * xg / (nn * nn)); }
  }
  launch(grid(n, 256), 1, 256, [&] { channel_rms_norm_backward(x.data(), 0, dy.data(), 0, gamma.data(), 0, dx.data(), c, n, sf); });
  check(("channel_rms_norm_backward C" + std::to_string(c) + " n" + std::to_string(n) + (zeros ? " zeros" : "")).c_str(), rel_error(dx, r));
}
int main() {
  gemm(1, 1, 1, 0); gemm(37, 23, 19, 0); gemm(37, 23, 19, 1); gemm(33, 17, 70, 1); gemm(16, 16, 16, 0);
  norm(5, 7, 1, 1, 0); norm(3, 300, 1, 0, 0); norm(6, 257, 1, 2, 2); norm(5, 1, 0, 1, 0); norm(4, 130, 0, 1, 0);
  losses(1); losses(3001);
  sumlead(1, 5); sumlead(300, 257); sumlead(7, 1);
  for (int m = 0; m < 3; m++) { resize(2, 7, 5, 14, 10, m); resize(1, 30, 52, 15, 26, m); resize(1, 5, 9, 11, 3, m); resize(1, 8, 8, 1, 1, m); }
  embed();
  pointwise(1); pointwise(1031);
  channelNorm(1, 5, false); channelNorm(96, 70, false); channelNorm(4, 6, true);
  conv(3, 4, 7, 9, 5, 3, 3, 3, 2, 1, 1); conv(2, 5, 8, 3, 7, 3, 1, 1, 2, 0, 0); conv(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0);
  return g_failures == 0 ? 0 : 1;
}
