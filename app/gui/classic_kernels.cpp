#include "app/gui/classic_kernels.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace convscope::gui {

const std::vector<std::string>& kernel_source_names() {
    static const std::vector<std::string> names = {"glorot_uniform", "identity", "box_blur", "gaussian", "sharpen",
                                                   "sobel_x",        "sobel_y",  "laplacian", "emboss"};
    return names;
}

const char* to_string(KernelSource k) { return kernel_source_names()[std::size_t(k)].c_str(); }

KernelSource parse_kernel_source(const std::string& s) {
    const auto& names = kernel_source_names();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == s) return KernelSource(i);
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    throw ConfigError("kernel source \"" + s + "\" is not one of " + all);
}

// Offsets from the centre; for even sizes the centre is the lower-right of the middle four, as Keras'
// 'same' padding puts the odd row at the bottom.
static double centre(int k) { return double(k / 2); }

std::vector<float> classic_kernel_2d(KernelSource k, int kh, int kw) {
    std::vector<float> out(std::size_t(kh) * std::size_t(kw), 0.0f);
    auto at = [&](int r, int c) -> float& { return out[std::size_t(r) * std::size_t(kw) + std::size_t(c)]; };
    const double cr = centre(kh), cc = centre(kw);
    const float n = float(kh * kw);
    switch (k) {
    case KernelSource::glorot_uniform:  // filled by the initialiser, not here
    case KernelSource::identity: at(int(cr), int(cc)) = 1.0f; break;
    case KernelSource::box_blur:
        for (auto& v : out) v = 1.0f / n;
        break;
    case KernelSource::gaussian: {
        // sigma = k/6 puts the window edge at 3 sigma (3x3: the familiar 1-2-1 shape).
        const double sr = std::max(0.5, kh / 6.0), sc = std::max(0.5, kw / 6.0);
        double sum = 0.0;
        for (int r = 0; r < kh; ++r)
            for (int c = 0; c < kw; ++c) {
                const double v = std::exp(-0.5 * ((r - cr) * (r - cr) / (sr * sr) + (c - cc) * (c - cc) / (sc * sc)));
                at(r, c) = float(v);
                sum += v;
            }
        for (auto& v : out) v = float(v / sum);
        break;
    }
    case KernelSource::sharpen:  // 2 * identity - box: boosts what differs from its neighbourhood
        for (auto& v : out) v = -1.0f / n;
        at(int(cr), int(cc)) += 2.0f;
        break;
    case KernelSource::sobel_x:
    case KernelSource::sobel_y: {
        // Derivative along one axis times a triangular smoothing along the other (3x3: the Sobel matrix).
        const bool x = k == KernelSource::sobel_x;
        for (int r = 0; r < kh; ++r)
            for (int c = 0; c < kw; ++c) {
                const double dr = r - cr, dc = c - cc;
                const double deriv = x ? dc : dr;
                const double along = x ? dr : dc;
                const double half = x ? std::max(1.0, cr) : std::max(1.0, cc);
                const double smooth = std::max(0.0, half + 1.0 - std::abs(along));
                at(r, c) = float((deriv > 0) - (deriv < 0)) * float(smooth);
            }
        break;
    }
    case KernelSource::laplacian:  // centre minus the sum of its neighbours (3x3: 8 -1s around an 8)
        for (auto& v : out) v = -1.0f;
        at(int(cr), int(cc)) = n - 1.0f;
        break;
    case KernelSource::emboss:  // -1 above-left of the diagonal, +1 below-right, 1 in the centre
        for (int r = 0; r < kh; ++r)
            for (int c = 0; c < kw; ++c) {
                const double d = (r - cr) + (c - cc);
                at(r, c) = float((d > 0) - (d < 0));
            }
        at(int(cr), int(cc)) = 1.0f;
        break;
    }
    return out;
}

void fill_classic_kernel(KernelSource k, WeightArray& kernel) {
    const auto& s = kernel.shape();  // (kh, kw, in, filters)
    if (s.size() != 4) throw ConfigError("a Conv2D kernel has 4 axes (kh, kw, in, filters)");
    const int kh = int(s[0]), kw = int(s[1]), in = int(s[2]), filters = int(s[3]);
    const std::vector<float> k2 = classic_kernel_2d(k, kh, kw);
    float* data = kernel.data();
    for (int r = 0; r < kh; ++r)
        for (int c = 0; c < kw; ++c)
            for (int i = 0; i < in; ++i)
                for (int f = 0; f < filters; ++f)
                    data[((std::size_t(r) * kw + c) * in + i) * filters + f] =
                        (f % in == i) ? k2[std::size_t(r) * std::size_t(kw) + std::size_t(c)] : 0.0f;
}

}  // namespace convscope::gui
