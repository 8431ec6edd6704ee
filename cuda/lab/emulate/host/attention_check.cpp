// attention_check.cpp -- attention_grad.cu (the backward) and attention_generic.cu (the forward with
// its row log-sum-exp) run on the host (emu.h) against a double-precision attention written here:
// ragged sizes, additive bias, key lengths with an empty batch item, time windows with and without a
// cyclic shift (TimeWindow's key frame ranges, ported), wide heads (several columns per lane).
// Built and run by run.sh, which makes ATTENTION_GENERIC a copy of attention_generic.cu whose dynamic
// shared memory is static storage.
#include "emu.h"
#include "attention_grad.cu"
#define ROWS GENERIC_ROWS
#define MAXV GENERIC_MAXV
#include ATTENTION_GENERIC
#include <random>
#include <string>

namespace {

// dev.surf.core.TimeWindow's key frame ranges.
struct Window {
    int frames, tpf, wf, sf;
    int eff() const { return wf >= frames ? 0 : sf; }
    int shifted(int f) const { return ((f - eff()) % frames + frames) % frames; }
    bool wrapped(int f) const { return f < eff(); }
    int start(int f) const {
        int s = eff(), w = shifted(f) / wf;
        return wrapped(f) ? std::max(w * wf, frames - s) - (frames - s) : w * wf + s;
    }
    int end(int f) const {
        int s = eff(), w = shifted(f) / wf;
        return wrapped(f) ? std::min((w + 1) * wf, frames) - (frames - s) : std::min((w + 1) * wf, frames - s) + s;
    }
};

std::mt19937 rng(7);

std::vector<float> uniform(size_t n) {
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

void run(int B, int Lq, int Lk, int H, int D, int Dv, bool bias, std::vector<int> lens, const Window* win) {
    auto q = uniform((size_t)B * Lq * H * D), k = uniform((size_t)B * Lk * H * D);
    auto v = uniform((size_t)B * Lk * H * Dv), dO = uniform((size_t)B * Lq * H * Dv);
    std::vector<float> bs = bias ? uniform((size_t)H * Lq * Lk) : std::vector<float>();
    const float scale = 1.0f / std::sqrt((float)D);
    std::vector<int> fr;
    if (win) {
        for (int f = 0; f < win->frames; f++) {
            fr.push_back(win->start(f) * win->tpf);
            fr.push_back(win->end(f) * win->tpf);
        }
    }
    // the reference: forward (o rounded to F32 as the kernels would see it, lse) and the gradients
    std::vector<float> o((size_t)B * Lq * H * Dv), lse((size_t)B * H * Lq);
    std::vector<double> ro(o.size()), rl(lse.size()), rdq(q.size()), rdk(k.size()), rdv(v.size());
    for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) for (int i = 0; i < Lq; i++) {
        int ks = 0, ke = lens.empty() ? Lk : std::min(Lk, lens[b]);
        if (win) {
            ks = fr[2 * (i / win->tpf)];
            ke = std::min(ke, fr[2 * (i / win->tpf) + 1]);
        }
        const size_t qb = (((size_t)b * Lq + i) * H + h) * D, ob = (((size_t)b * Lq + i) * H + h) * Dv;
        std::vector<double> s(Lk), P(Lk, 0.0);
        double m = -INFINITY;
        for (int j = ks; j < ke; j++) {
            double d = 0;
            for (int c = 0; c < D; c++) d += (double)q[qb + c] * k[(((size_t)b * Lk + j) * H + h) * D + c];
            s[j] = scale * d + (bias ? bs[((size_t)h * Lq + i) * Lk + j] : 0.0);
            m = std::max(m, s[j]);
        }
        double l = 0;
        for (int j = ks; j < ke; j++) l += std::exp(s[j] - m);
        const size_t row = ((size_t)b * H + h) * Lq + i;
        rl[row] = ke > ks ? m + std::log(l) : -INFINITY;
        lse[row] = (float)rl[row];
        for (int j = ks; j < ke; j++) P[j] = std::exp(s[j] - m) / l;
        for (int c = 0; c < Dv; c++) {
            double a = 0;
            for (int j = ks; j < ke; j++) a += P[j] * v[(((size_t)b * Lk + j) * H + h) * Dv + c];
            ro[ob + c] = a;
            o[ob + c] = (float)a;
        }
        double delta = 0;
        for (int c = 0; c < Dv; c++) delta += (double)dO[ob + c] * o[ob + c];
        for (int j = ks; j < ke; j++) {
            const size_t kb = (((size_t)b * Lk + j) * H + h) * D, vb = (((size_t)b * Lk + j) * H + h) * Dv;
            double dp = 0;
            for (int c = 0; c < Dv; c++) dp += (double)dO[ob + c] * v[vb + c];
            const double ds = P[j] * (dp - delta) * scale;
            for (int c = 0; c < Dv; c++) rdv[vb + c] += P[j] * dO[ob + c];
            for (int c = 0; c < D; c++) {
                rdq[qb + c] += ds * k[kb + c];
                rdk[kb + c] += ds * q[qb + c];
            }
        }
    }
    const std::string at = "B" + std::to_string(B) + " Lq" + std::to_string(Lq) + " Lk" + std::to_string(Lk) + " H"
            + std::to_string(H) + " D" + std::to_string(D) + " Dv" + std::to_string(Dv) + (bias ? " bias" : "")
            + (lens.empty() ? "" : " keyLengths") + (win ? (win->sf ? " window shifted" : " window") : "");
    const long long qRows = (long long)B * H * Lq, kRows = (long long)B * H * Lk;

    // the forward with lse (attention_generic)
    std::vector<float> go(o.size(), NAN), gl(lse.size(), NAN);
    GenericAttnParams gp{q.data(), k.data(), v.data(), go.data(), bias ? bs.data() : nullptr, lens.empty() ? nullptr : lens.data(),
                         win ? (const int2*)fr.data() : nullptr, gl.data(), 0, 0, 0, 0, B, H, Lq, Lk, D, Dv,
                         win ? win->tpf : 1, scale};
    launch((int)((qRows + 3) / 4), 1, 128, [&] { attention_generic(gp); });
    int infMismatch = 0;
    std::vector<double> rlFinite = rl;
    for (size_t i = 0; i < gl.size(); i++) {
        infMismatch += std::isinf(rl[i]) != std::isinf(gl[i]);
        if (std::isinf(rl[i])) rlFinite[i] = 0, gl[i] = std::isinf(gl[i]) ? 0.0f : gl[i];
    }
    check(("attention_generic out " + at).c_str(), rel_error(go, ro));
    check(("attention_generic lse " + at).c_str(), infMismatch ? INFINITY : rel_error(gl, rlFinite));

    // the backward (attention_grad), outputs poisoned with NaN
    std::vector<float> delta(lse.size(), NAN), dq(q.size(), NAN), dk(k.size(), NAN), dv(v.size(), NAN);
    AttnGradParams p{q.data(), k.data(), v.data(), o.data(), dO.data(), lse.data(), bias ? bs.data() : nullptr,
                     lens.empty() ? nullptr : lens.data(), win ? (const int2*)fr.data() : nullptr,
                     delta.data(), dq.data(), dk.data(), dv.data(), 0, 0, 0, 0, 0, B, H, Lq, Lk, D, Dv,
                     win ? win->tpf : 1, scale};
    launch((int)((qRows + 3) / 4), 1, 128, [&] { attention_grad_delta(p); });
    launch((int)((qRows + 3) / 4), 1, 128, [&] { attention_grad_dq(p); });
    launch((int)((kRows + 3) / 4), 1, 128, [&] { attention_grad_dkdv(p); });
    check(("attention_grad dq " + at).c_str(), rel_error(dq, rdq));
    check(("attention_grad dk " + at).c_str(), rel_error(dk, rdk));
    check(("attention_grad dv " + at).c_str(), rel_error(dv, rdv));
}

}  // namespace

int main() {
    run(2, 13, 13, 2, 7, 7, false, {}, nullptr);
    run(1, 9, 11, 1, 40, 72, true, {}, nullptr);
    run(2, 11, 13, 2, 8, 8, false, {0, 9}, nullptr);
    const Window w1{5, 3, 2, 0}, w2{7, 2, 3, 1}, w3{4, 5, 2, 1};
    run(1, 15, 15, 2, 16, 16, false, {}, &w1);
    run(2, 14, 14, 1, 24, 24, true, {}, &w2);
    run(1, 20, 20, 1, 8, 8, true, {}, &w3);
    run(1, 5, 6, 1, 130, 300, false, {}, nullptr);
    return g_failures == 0 ? 0 : 1;
}
