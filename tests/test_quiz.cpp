// The shape quiz: the seed's seven examples first with the seed's answers, random questions whose answers are
// recomputed by enumerating window positions, the network's nodes with hand-computed answers, and the checker.

#include <catch2/catch.hpp>

#include "core/teach/quiz.hpp"

using namespace convscope;

namespace {

// Output length along one axis by trying window positions (not by formula): 'valid' counts windows that fit
// inside; 'same' has one output per position the stride lands on.
int windows(int in, int kernel, int stride, int dilation, bool same) {
    int n = 0;
    for (int start = 0; start < in; start += stride)
        if (same || start + (kernel - 1) * dilation < in) ++n;
    return n;
}

// The numbers back out of a Keras line such as Conv2D(64, (3, 3), strides=(2, 2), padding="same").
struct Parsed {
    int filters = 0, kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1;
    bool same = false;
};
Parsed parse_line(const std::string& line) {
    Parsed p;
    REQUIRE(std::sscanf(line.c_str(), "Conv2D(%d, (%d, %d)", &p.filters, &p.kh, &p.kw) == 3);
    const std::size_t s = line.find("strides=(");
    if (s != std::string::npos) REQUIRE(std::sscanf(line.c_str() + s, "strides=(%d, %d)", &p.sh, &p.sw) == 2);
    const std::size_t d = line.find("dilation_rate=(");
    if (d != std::string::npos) REQUIRE(std::sscanf(line.c_str() + d, "dilation_rate=(%d, %d)", &p.dh, &p.dw) == 2);
    p.same = line.find("padding=\"same\"") != std::string::npos;
    return p;
}

}  // namespace

TEST_CASE("the quiz starts with the seed's seven examples and their answers", "[quiz]") {
    const std::vector<QuizQuestion> q = make_quiz(0);
    REQUIRE(q.size() == 18);
    const char* shapes[] = {"(None, 600, 600, 64)", "(None, 599, 599, 64)", "(None, 300, 300, 64)",
                            "(None, 300, 300, 64)", "(None, 300, 300, 64)", "(None, 600, 600, 64)",
                            "(None, 598, 598, 64)"};
    const std::int64_t params[] = {256, 832, 256, 256, 1792, 1792, 1792};  // k*k*3*64 + 64
    for (int i = 0; i < 7; ++i) {
        INFO(q[std::size_t(i)].prompt());
        CHECK(q[std::size_t(i)].kind == QuizQuestion::Kind::seed_example);
        CHECK(keras_shape(q[std::size_t(i)].shape) == shapes[i]);
        CHECK(q[std::size_t(i)].params == params[i]);
        CHECK(plain_shape(q[std::size_t(i)].input) == "(600, 600, 3)");
    }
    CHECK(q[4].layer == "Conv2D(64, (3, 3), strides=(2, 2), padding=\"same\")");
}

TEST_CASE("random questions rise in difficulty and their answers match window enumeration", "[quiz]") {
    for (std::uint64_t seed : {0ull, 1ull, 2ull, 99ull, 12345ull}) {
        const std::vector<QuizQuestion> q = make_quiz(seed);
        int previous_level = 0;
        bool non_square = false, dilated = false, same_strided_odd = false;
        for (const QuizQuestion& k : q) {
            CHECK(k.level >= previous_level);
            previous_level = k.level;
            if (k.kind != QuizQuestion::Kind::random_conv) continue;
            INFO("seed " << seed << ": " << k.prompt());
            const Parsed p = parse_line(k.layer);
            CHECK(k.shape.h == windows(k.input.h, p.kh, p.sh, p.dh, p.same));
            CHECK(k.shape.w == windows(k.input.w, p.kw, p.sw, p.dw, p.same));
            CHECK(k.shape.c == p.filters);
            CHECK(k.params == std::int64_t(p.kh) * p.kw * k.input.c * p.filters + p.filters);
            non_square = non_square || k.input.h != k.input.w || p.kh != p.kw || p.sh != p.sw;
            dilated = dilated || p.dh > 1 || p.dw > 1;
            same_strided_odd = same_strided_odd || (p.same && p.sh > 1 && k.input.h % 2 == 1);
        }
        CHECK(non_square);
        CHECK(dilated);
        CHECK(same_strided_odd);
        CHECK(q.back().kind == QuizQuestion::Kind::network_node);
    }
    CHECK(make_quiz(5)[10].prompt() == make_quiz(5)[10].prompt());
    CHECK(make_quiz(5)[10].prompt() != make_quiz(6)[10].prompt());
}

TEST_CASE("network questions: what comes out of the seed's nodes at 600x600", "[quiz]") {
    const std::vector<QuizQuestion> q = make_quiz(0);
    struct Expected {
        const char* node;
        const char* shape;
        std::int64_t params;
    };
    const Expected expected[] = {
        {"conv1", "(None, 300, 300, 64)", 7 * 7 * 3 * 64 + 64},        // 606 padded, ceil((606 - 7 + 1) / 2)
        {"pool1", "(None, 150, 150, 64)", 0},                          // 'same', ceil(300 / 2)
        {"res2a_branch2b", "(None, 150, 150, 64)", 3 * 3 * 64 * 64 + 64},
        {"res3a_branch2a", "(None, 75, 75, 128)", 256 * 128 + 128},    // 1x1 strides 2 from res2c's 256 channels
        {"res4a_branch2a", "(None, 38, 38, 256)", 512 * 256 + 256},    // ceil((75 - 1 + 1) / 2) = 38
    };
    for (int i = 0; i < 5; ++i) {
        const QuizQuestion& k = q[std::size_t(13 + i)];
        CHECK(k.node == expected[i].node);
        CHECK(keras_shape(k.shape) == expected[i].shape);
        CHECK(k.params == expected[i].params);
        CHECK(k.prompt().find("What comes out of " + k.node + "?") != std::string::npos);
    }
}

TEST_CASE("answers are read the ways people type them, and checked", "[quiz]") {
    CHECK(parse_shape_answer("(None, 300, 300, 64)").ok);
    CHECK(parse_shape_answer("300x300x64").c == 64);
    CHECK(parse_shape_answer(" 300 , 299, 64 ").w == 299);
    CHECK_FALSE(parse_shape_answer("300, 300").ok);
    CHECK_FALSE(parse_shape_answer("(1, 300, 300, 64)").ok);  // the batch is None, not a number
    CHECK(parse_count_answer("1,792") == 1792);
    CHECK(parse_count_answer("1792") == 1792);
    CHECK(parse_count_answer("1_792") == 1792);
    CHECK(parse_count_answer("many") == -1);
    CHECK(parse_count_answer("") == -1);

    const QuizQuestion q = make_quiz(0)[4];  // Conv2D(64, 3, strides 2, 'same') on (600, 600, 3)
    const QuizVerdict right = check_answer(q, parse_shape_answer("300,300,64"), 1792);
    CHECK(right.right());
    const QuizVerdict wrong = check_answer(q, parse_shape_answer("299,299,64"), 1728);
    CHECK_FALSE(wrong.shape_right);
    CHECK_FALSE(wrong.params_right);
    CHECK(wrong.feedback.find("ceil(600 / 2) = 300") != std::string::npos);
    CHECK(wrong.feedback.find("3 * 3 * 3 * 64 (kernel) + 64 (bias) = 1,792") != std::string::npos);
}
