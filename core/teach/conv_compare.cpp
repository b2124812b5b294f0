#include "core/teach/conv_compare.hpp"

#include <cstdio>
#include <sstream>

#include "core/layers/data_format.hpp"
#include "core/weights/constraints.hpp"
#include "core/weights/initializer_spec.hpp"
#include "core/weights/regularizers.hpp"

namespace convscope {

ConvSideNumbers conv_side_numbers(const ConvSetting& s) {
    ConvSideNumbers n;
    try {
        Conv2D conv(s.config);
        n.output = conv.output_shape({s.input});  // throws the "output dimension < 1" error with its rule
        // Counted, not built: a network layer's kernel (3 x 3 x 512 x 512) would be allocated just to count it.
        const Conv2DConfig& c = s.config;
        n.params = std::int64_t(c.kernel_size.rows) * c.kernel_size.cols * s.input.c * c.filters +
                   (c.use_bias ? c.filters : 0);
        n.macs = conv.macs({s.input});
        n.ok = true;
    } catch (const std::exception& e) {
        n.error = e.what();
    }
    return n;
}

namespace {

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string pads(const AxisGeometry& g, const char* before, const char* after) {
    return std::string(before) + " " + std::to_string(g.pad_before) + ", " + after + " " + std::to_string(g.pad_after);
}

}  // namespace

std::vector<bool> differing_words(const std::string& a, const std::string& b) {
    const std::vector<std::string> wa = words(a), wb = words(b);
    std::vector<bool> out(wa.size(), true);
    if (wa.size() != wb.size()) return out;
    for (std::size_t i = 0; i < wa.size(); ++i) out[i] = wa[i] != wb[i];
    return out;
}

std::string ratio_text(std::int64_t a, std::int64_t b) {
    if (a == 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", double(b) / double(a));
    return buf;
}

ConvComparison compare_convs(const ConvSetting& a, const ConvSetting& b) {
    ConvComparison c;
    c.a = conv_side_numbers(a);
    c.b = conv_side_numbers(b);
    auto row = [&](std::string what, std::string va, std::string vb, bool argument = true) {
        const bool differs = va != vb;
        c.rows.push_back(ComparisonRow{std::move(what), std::move(va), std::move(vb), differs, argument});
    };
    const Conv2DConfig &x = a.config, &y = b.config;
    row("input", plain_shape(a.input), plain_shape(b.input));
    row("filters", std::to_string(x.filters), std::to_string(y.filters));
    row("kernel_size", to_string(x.kernel_size), to_string(y.kernel_size));
    row("strides", to_string(x.strides), to_string(y.strides));
    row("padding", to_string(x.padding), to_string(y.padding));
    row("dilation_rate", to_string(x.dilation_rate), to_string(y.dilation_rate));
    row("activation", to_string(x.activation), to_string(y.activation));
    row("use_bias", x.use_bias ? "True" : "False", y.use_bias ? "True" : "False");
    // The arguments that change nothing in the shapes: shown only when one of the two sets them.
    const Conv2DConfig d;
    auto optional_row = [&](const char* what, const std::string& va, const std::string& vb, const std::string& dv) {
        if (va != dv || vb != dv) row(what, va, vb);
    };
    optional_row("data_format", to_string(x.data_format), to_string(y.data_format), to_string(d.data_format));
    optional_row("kernel_initializer", to_string(x.kernel_initializer), to_string(y.kernel_initializer),
                 to_string(d.kernel_initializer));
    optional_row("bias_initializer", to_string(x.bias_initializer), to_string(y.bias_initializer),
                 to_string(d.bias_initializer));
    optional_row("kernel_regularizer", to_string(x.kernel_regularizer), to_string(y.kernel_regularizer), "None");
    optional_row("bias_regularizer", to_string(x.bias_regularizer), to_string(y.bias_regularizer), "None");
    optional_row("activity_regularizer", to_string(x.activity_regularizer), to_string(y.activity_regularizer), "None");
    optional_row("kernel_constraint", to_string(x.kernel_constraint), to_string(y.kernel_constraint), "None");
    optional_row("bias_constraint", to_string(x.bias_constraint), to_string(y.bias_constraint), "None");

    // Consequences. The geometry of an impossible side still has its formula (it ends in a number < 1).
    std::string ga[6], gb[6];
    auto geometry = [](const ConvSetting& s, const ConvSideNumbers& n, std::string* out) {
        try {
            const ConvGeometry g = Conv2D(s.config).geometry(s.input);
            out[0] = std::to_string(g.rows.effective_kernel) + " x " + std::to_string(g.cols.effective_kernel);
            out[1] = g.rows.formula;
            out[2] = g.cols.formula;
            out[3] = pads(g.rows, "top", "bottom");
            out[4] = pads(g.cols, "left", "right");
        } catch (const std::exception&) {
            for (int i = 0; i < 5; ++i) out[i] = "impossible";
        }
        out[5] = n.ok ? keras_shape(n.output, s.config.data_format) : "impossible";
    };
    geometry(a, c.a, ga);
    geometry(b, c.b, gb);
    const char* names[6] = {"effective kernel", "rows: out", "cols: out", "padding rows", "padding cols", "output shape"};
    for (int i = 0; i < 6; ++i) row(names[i], ga[i], gb[i], false);
    row("parameters", c.a.ok ? with_thousands(c.a.params) : "-", c.b.ok ? with_thousands(c.b.params) : "-", false);
    row("MACs", c.a.ok ? with_thousands(c.a.macs) : "-", c.b.ok ? with_thousands(c.b.macs) : "-", false);
    return c;
}

}  // namespace convscope
