#include "core/render/compare_image.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/render/feature_map.hpp"
#include "core/render/text.hpp"

namespace convscope {

ValueRange shared_range(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b, Normalization n) {
    const ValueRange ra = value_range(a, channel_a, n), rb = value_range(b, channel_b, n);
    return ValueRange{std::min(ra.lo, rb.lo), std::max(ra.hi, rb.hi)};
}

std::string no_difference_reason(const Tensor3& a, const Tensor3& b) {
    if (a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1]) return "";
    auto size = [](const Tensor3& t) { return std::to_string(t.shape()[0]) + " x " + std::to_string(t.shape()[1]); };
    return "B - A is not drawn: A is " + size(a) + " and B " + size(b) +
           ", and a difference needs one value of each at every position (make strides, padding and dilation "
           "give one output size to see it)";
}

Tensor3 difference_map(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b) {
    check_channel(a, channel_a);
    check_channel(b, channel_b);
    const std::size_t H = a.shape()[0], W = a.shape()[1];
    if (b.shape()[0] != H || b.shape()[1] != W)
        throw std::invalid_argument("difference_map: the maps differ in size (" + std::to_string(H) + " x " +
                                    std::to_string(W) + " and " + std::to_string(b.shape()[0]) + " x " +
                                    std::to_string(b.shape()[1]) + ")");
    Tensor3 d = Tensor3::from_shape({H, W, 1});
    for (std::size_t r = 0; r < H; ++r)
        for (std::size_t c = 0; c < W; ++c)
            d(r, c, 0) = b(r, c, std::size_t(channel_b)) - a(r, c, std::size_t(channel_a));
    return d;
}

namespace {

// The size a map of h x w values takes inside a box x box square, aspect kept.
void fit(int h, int w, int box, int& out_w, int& out_h) {
    if (w >= h) {
        out_w = box;
        out_h = std::max(1, int(std::lround(double(box) * h / w)));
    } else {
        out_h = box;
        out_w = std::max(1, int(std::lround(double(box) * w / h)));
    }
}

std::string map_size(const Tensor3& t, int channel) {
    return std::to_string(t.shape()[0]) + " x " + std::to_string(t.shape()[1]) + ", channel " + std::to_string(channel);
}

// Where the argument that starts at `from` ends: after the next ", " outside any tuple or list, so that
// "strides=(2, 2)" stays one piece. A '(' right after a name opens a call ("Conv2D("), whose arguments are what
// is split; any other '(' or '[' opens a tuple or a list. The end of the text when no such ", " follows.
std::size_t argument_end(const std::string& s, std::size_t from) {
    std::vector<bool> opened_tuple;  // per open bracket: a tuple or list (true) or a call (false)
    int tuples = 0;
    for (std::size_t i = from; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '(' || c == '[') {
            const bool call = c == '(' && i > 0 && (std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_');
            opened_tuple.push_back(!call);
            tuples += call ? 0 : 1;
        } else if ((c == ')' || c == ']') && !opened_tuple.empty()) {
            tuples -= opened_tuple.back() ? 1 : 0;
            opened_tuple.pop_back();
        } else if (tuples == 0 && s.compare(i, 2, ", ") == 0) {
            return i + 2;
        }
    }
    return s.size();
}

}  // namespace

// A title broken into lines of at most `width` pixels, after ", " between arguments where it can (a Keras line's
// arguments stay whole, tuples included), anywhere when one argument alone is wider.
std::vector<std::string> wrapped_title(const std::string& s, int width, int ts) {
    std::vector<std::string> lines(1);
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t end = argument_end(s, i);
        const std::string piece = s.substr(i, end - i);
        if (!lines.back().empty() && text_width(lines.back() + piece, ts) > width) lines.emplace_back();
        for (char ch : piece) {
            if (!lines.back().empty() && text_width(lines.back() + ch, ts) > width) lines.emplace_back();
            lines.back() += ch;
        }
        i = end;
    }
    return lines;
}

RgbaImage render_comparison(const Tensor3& a, int channel_a, const Tensor3& b, int channel_b,
                            const ComparisonImageOptions& o) {
    check_channel(a, channel_a);
    check_channel(b, channel_b);
    const int ts = std::max(1, o.text_scale), box = std::max(16, o.box), gap = 8 * ts, line = text_height(ts) + 2 * ts;
    const bool same_size = a.shape()[0] == b.shape()[0] && a.shape()[1] == b.shape()[1];
    const bool with_difference = o.difference && same_size;
    const int panels = with_difference ? 3 : 2;
    const Rgba8 white{255, 255, 255, 255}, black{0, 0, 0, 255};
    ColorbarOptions bar;
    bar.width = box;
    bar.text_scale = ts;
    const int bar_h = render_colorbar({0.0f, 1.0f}, o.colormap, bar).height;
    const int width = gap + panels * (box + gap);
    const std::vector<std::string> titles[2] = {wrapped_title("A: " + o.title_a, box, ts),
                                                wrapped_title("B: " + o.title_b, box, ts)};
    const int title_lines = int(std::max(titles[0].size(), titles[1].size()));
    const int top = gap + (title_lines + 1) * line;  // titles, then the map sizes
    const int height = top + box + gap + line + bar_h + gap;
    RgbaImage img(width, height, white);

    const ValueRange shared = shared_range(a, channel_a, b, channel_b, o.normalization);
    auto panel = [&](int i, const std::vector<std::string>& title, const std::string& size, const Tensor3& t,
                     int channel, ValueRange range, Colormap cmap, const std::string& bar_caption) {
        const int x = gap + i * (box + gap);
        for (std::size_t l = 0; l < title.size(); ++l) draw_text(img, x, gap + int(l) * line, title[l], black, ts);
        draw_text(img, x, top - line, size, black, ts);
        int w = 0, h = 0;
        fit(int(t.shape()[0]), int(t.shape()[1]), box, w, h);
        const int y = top;
        img.blit(render_fitted(t, channel, range, cmap, w, h), x + (box - w) / 2, y + (box - h) / 2);
        const int by = y + box + gap;
        draw_text(img, x, by, bar_caption, black, ts);
        img.blit(render_colorbar(range, cmap, bar), x, by + line);
    };
    panel(0, titles[0], map_size(a, channel_a), a, channel_a, shared, o.colormap, "shared range");
    panel(1, titles[1], map_size(b, channel_b), b, channel_b, shared, o.colormap, "shared range");
    if (with_difference) {
        const Tensor3 d = difference_map(a, channel_a, b, channel_b);
        const ValueRange m = value_range(d, 0, Normalization::symmetric);
        panel(2, {"B - A"}, "blue: B lower, red: B higher", d, 0, m, Colormap::diverging, "difference");
    }
    return img;
}

}  // namespace convscope
