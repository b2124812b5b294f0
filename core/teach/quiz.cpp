#include "core/teach/quiz.hpp"

#include <cctype>
#include <random>

#include "core/layers/conv2d.hpp"
#include "core/layers/max_pooling2d.hpp"
#include "core/layers/zero_padding2d.hpp"
#include "core/model/resnet50.hpp"

namespace convscope {

namespace {

constexpr int kSeedExamples = 7, kRandomQuestions = 6, kNetworkQuestions = 5;

// A layer's parameter count for an input shape, from the weight shapes the layer itself declares (nothing is
// allocated, so the quiz's network needs no weights).
std::int64_t params_for(const Layer& layer, const Shape& in) {
    std::int64_t n = 0;
    for (const std::vector<std::size_t>& shape : layer.weight_shapes({in})) {
        std::int64_t count = 1;
        for (std::size_t d : shape) count *= std::int64_t(d);
        n += count;
    }
    return n;
}

std::string params_formula(const Conv2DConfig& c, int in_c, std::int64_t params) {
    std::string t = "params = " + std::to_string(c.kernel_size.rows) + " * " + std::to_string(c.kernel_size.cols) +
                    " * " + std::to_string(in_c) + " * " + std::to_string(c.filters) + " (kernel)";
    if (c.use_bias) t += " + " + std::to_string(c.filters) + " (bias)";
    return t + " = " + with_thousands(params);
}

std::string axis_line(const char* axis, const AxisGeometry& g) {
    std::string t = std::string(axis) + g.formula;
    if (g.padding == Padding::same)
        t += "   ('same': ceil(in / stride), whatever the kernel; padding " + std::to_string(g.pad_before) + " + " +
             std::to_string(g.pad_after) + ")";
    else
        t += "   ('valid': ceil((in - effective kernel + 1) / stride)";
    if (g.padding == Padding::valid)
        t += g.dilation > 1 ? ", effective kernel (k - 1) * d + 1 = " + std::to_string(g.effective_kernel) + ")" : ")";
    return t;
}

QuizQuestion conv_question(QuizQuestion::Kind kind, int level, const Shape& in, const Conv2DConfig& c) {
    QuizQuestion q;
    q.kind = kind;
    q.level = level;
    const Conv2D conv(c);
    q.layer = conv.keras_line();
    q.input = in;
    q.shape = conv.output_shape({in});
    const ConvGeometry g = conv.geometry(in);
    q.params = params_for(conv, in);
    q.worked = axis_line("height: ", g.rows) + "\n" + axis_line("width:  ", g.cols) + "\nchannels: filters = " +
               std::to_string(c.filters) + "\n" + params_formula(c, in.c, q.params);
    return q;
}

Conv2DConfig conv_config(int filters, IntPair kernel, IntPair strides, Padding padding, IntPair dilation = 1) {
    Conv2DConfig c;
    c.filters = filters;
    c.kernel_size = kernel;
    c.strides = strides;
    c.padding = padding;
    c.dilation_rate = dilation;
    return c;
}

// A portable pick in [lo, hi] (std::uniform_int_distribution differs between standard libraries).
int pick(std::mt19937_64& random, int lo, int hi) { return lo + int(random() % std::uint64_t(hi - lo + 1)); }

QuizQuestion random_question(std::mt19937_64& random, int level) {
    const int filter_choices[] = {8, 16, 32, 48, 64, 96, 128};
    for (;;) {
        const int filters = filter_choices[pick(random, 0, 6)];
        const int channels = level == 1 ? 3 : filter_choices[pick(random, 0, 6)];
        int h = 0, w = 0;
        IntPair kernel, strides{1, 1}, dilation{1, 1};
        Padding padding = Padding::valid;
        switch (level) {
            case 1:  // square, odd sizes, odd kernels, either padding, stride 1
                h = w = 2 * pick(random, 8, 160) + 1;
                kernel = 2 * pick(random, 0, 3) + 1;
                padding = pick(random, 0, 1) ? Padding::same : Padding::valid;
                break;
            case 2:  // non-square input, kernel and strides, 'valid'
                h = pick(random, 20, 400);
                w = pick(random, 20, 400);
                kernel = IntPair{pick(random, 1, 7), pick(random, 1, 7)};
                strides = IntPair{pick(random, 1, 3), pick(random, 1, 3)};
                break;
            case 3:  // 'same' with strides on odd sizes (where the padding split is uneven)
                h = 2 * pick(random, 10, 300) + 1;
                w = 2 * pick(random, 10, 300) + 1;
                kernel = 2 * pick(random, 0, 3) + 1 + pick(random, 0, 1);
                strides = pick(random, 2, 4);
                padding = Padding::same;
                break;
            default:  // dilation
                h = pick(random, 15, 300);
                w = pick(random, 15, 300);
                kernel = 2 * pick(random, 1, 2) + 1;
                dilation = IntPair{pick(random, 2, 6), pick(random, 2, 6)};
                padding = pick(random, 0, 2) ? Padding::valid : Padding::same;
                break;
        }
        const Conv2DConfig c = conv_config(filters, kernel, strides, padding, dilation);
        const Shape in = Shape::image(h, w, channels);
        try {
            return conv_question(QuizQuestion::Kind::random_conv, level, in, c);
        } catch (const std::exception&) {
            continue;  // the kernel does not fit: draw again
        }
    }
}

QuizQuestion network_question(const Graph& g, const std::vector<Shape>& shapes, int node) {
    const Node& n = g.node(node);
    const Shape in = shapes[std::size_t(n.inputs[0])];
    QuizQuestion q;
    if (const auto* conv = dynamic_cast<const Conv2D*>(n.layer.get())) {
        q = conv_question(QuizQuestion::Kind::network_node, 5, in, conv->config());
    } else {
        q.kind = QuizQuestion::Kind::network_node;
        q.level = 5;
        q.layer = n.layer->keras_line();
        q.input = in;
        q.shape = shapes[std::size_t(node)];
        q.params = params_for(*n.layer, in);
        if (const auto* pool = dynamic_cast<const MaxPooling2D*>(n.layer.get())) {
            const MaxPooling2DConfig& k = pool->config();
            const IntPair s = k.effective_strides();
            q.worked = axis_line("height: ", axis_geometry(in.h, k.pool_size.rows, s.rows, 1, k.padding)) + "\n" +
                       axis_line("width:  ", axis_geometry(in.w, k.pool_size.cols, s.cols, 1, k.padding)) +
                       "\nchannels: unchanged, " + std::to_string(in.c) + "\nparams = 0 (pooling has no weights)";
        } else if (dynamic_cast<const ZeroPadding2D*>(n.layer.get())) {
            q.worked = "rows and cols grow by the padding on both sides; params = 0";
        } else if (std::string(n.layer->type_name()) == "BatchNormalization") {
            q.worked = "the shape is unchanged\nparams = 4 * " + std::to_string(in.c) +
                       " (gamma, beta, moving_mean, moving_variance) = " + with_thousands(q.params) + ", of which 2 * " +
                       std::to_string(in.c) + " are not trainable";
        } else {
            q.worked = "the shape is unchanged; params = 0";
        }
    }
    q.node = n.name;
    return q;
}

}  // namespace

std::string QuizQuestion::prompt() const {
    if (kind == Kind::network_node)
        return "In the seed's ResNet50, " + node + " is " + layer + " on an input of shape " + keras_shape(input) +
               ". What comes out of " + node + "?";
    return layer + " on an input of shape " + keras_shape(input) + ": what comes out?";
}

std::vector<QuizQuestion> make_quiz(std::uint64_t seed, int count) {
    std::vector<QuizQuestion> quiz;
    // The seed's own examples, in its order, on its (600, 600, 3) input.
    const Shape seed_input = Shape::image(600, 600, 3);
    const Conv2DConfig examples[kSeedExamples] = {
        conv_config(64, 1, 1, Padding::valid), conv_config(64, 2, 1, Padding::valid),
        conv_config(64, 1, 2, Padding::valid), conv_config(64, 1, 2, Padding::same),
        conv_config(64, 3, 2, Padding::same),  conv_config(64, 3, 1, Padding::same),
        conv_config(64, 3, 1, Padding::valid)};
    for (const Conv2DConfig& c : examples)
        quiz.push_back(conv_question(QuizQuestion::Kind::seed_example, 0, seed_input, c));

    std::mt19937_64 random(seed * 0x9E3779B97F4A7C15ull + 1);
    const int levels[kRandomQuestions] = {1, 2, 2, 3, 3, 4};
    for (int level : levels) quiz.push_back(random_question(random, level));

    // The network: a few nodes in network order, at the seed's 600 x 600 or (other seeds) another size.
    const int sizes[] = {600, 599, 512, 333, 224};
    ResNet50Options o;
    o.height = o.width = seed == 0 ? 600 : sizes[pick(random, 0, 4)];
    const Graph g = build_resnet50(o, /*with_weights=*/false);  // shapes and parameter counts only
    const std::vector<Shape> shapes = g.shapes_or_throw();
    const std::vector<std::vector<const char*>> pools = {
        {"conv1"},
        {"pool1", "bn_conv1"},
        {"res2a_branch2b", "res2a_branch1", "bn2a_branch2a"},
        {"res3a_branch2a", "res3a_branch1", "res3a_branch2b"},
        {"res4a_branch2a", "res4a_branch1", "res4f_branch2c", "res4a_branch2b"}};
    for (const auto& pool : pools) {
        const char* name = seed == 0 ? pool[0] : pool[std::size_t(pick(random, 0, int(pool.size()) - 1))];
        quiz.push_back(network_question(g, shapes, g.find(name)));
    }
    if (count > 0 && std::size_t(count) < quiz.size()) quiz.resize(std::size_t(count));
    return quiz;
}

ShapeAnswer parse_shape_answer(const std::string& text) {
    std::vector<long long> numbers;
    std::string digits;
    auto flush = [&] {
        if (!digits.empty() && digits.size() < 10) numbers.push_back(std::stoll(digits));
        else if (!digits.empty()) numbers.push_back(-1);
        digits.clear();
    };
    for (char ch : text) {
        if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
        else flush();
    }
    flush();
    ShapeAnswer a;
    if (numbers.size() != 3) return a;  // "None" is not a number, so "(None, 300, 300, 64)" gives three
    for (long long v : numbers)
        if (v < 0) return a;
    a.ok = true;
    a.h = int(numbers[0]);
    a.w = int(numbers[1]);
    a.c = int(numbers[2]);
    return a;
}

std::int64_t parse_count_answer(const std::string& text) {
    std::string digits;
    bool seen_any = false;
    for (char ch : text) {
        if (std::isdigit(static_cast<unsigned char>(ch))) {
            digits += ch;
            seen_any = true;
        } else if (ch == ',' || ch == '_' || ch == '\'' || std::isspace(static_cast<unsigned char>(ch))) {
            continue;  // thousands separators and spaces
        } else {
            return -1;
        }
    }
    if (!seen_any || digits.size() > 15) return -1;
    return std::stoll(digits);
}

QuizVerdict check_answer(const QuizQuestion& q, const ShapeAnswer& shape, std::int64_t params) {
    QuizVerdict v;
    v.shape_right = shape.ok && shape.h == q.shape.h && shape.w == q.shape.w && shape.c == q.shape.c;
    v.params_right = params == q.params;
    std::string t;
    t += v.shape_right ? "shape right: " + keras_shape(q.shape) : "shape wrong: it is " + keras_shape(q.shape);
    if (!v.shape_right && shape.ok)
        t += " (you said (None, " + std::to_string(shape.h) + ", " + std::to_string(shape.w) + ", " +
             std::to_string(shape.c) + "))";
    t += "\n";
    t += v.params_right ? "parameters right: " + with_thousands(q.params)
                        : "parameters wrong: " + with_thousands(q.params) +
                              (params >= 0 ? " (you said " + with_thousands(params) + ")" : "");
    t += "\n" + q.worked + "\n";
    v.feedback = t;
    return v;
}

}  // namespace convscope
