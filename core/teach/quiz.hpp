#pragma once
// "Predict the shape": Conv2D questions and their worked answers, and an answer checker.
//
// A quiz asks, in this order: the seed's seven Conv2D examples on a (600, 600, 3) input; random Conv2Ds of
// rising difficulty (odd sizes and kernels, then non-square inputs, kernels and strides, then 'same' with
// strides on odd sizes, then dilation); then nodes of the seed's ResNet50 ("what comes out of res3a_branch2a?").
// Every question asks for the output shape and the parameter count. The same seed gives the same questions.
//
//   make_quiz(seed, count)        the questions (count <= 0: the full quiz, 18 questions)
//   parse_shape_answer(text)      "(None, 300, 300, 64)", "300, 300, 64", "300x300x64" -> {300, 300, 64}
//   parse_count_answer(text)      "1,792", "1792", "1_792" -> 1792; -1 when it is not a count
//   check_answer(q, shape, count) right or wrong for each, and the worked formula

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope {

struct QuizQuestion {
    enum class Kind { seed_example, random_conv, network_node } kind = Kind::seed_example;
    int level = 0;            // 0: the seed's examples; 1-4: random Conv2Ds, harder as it rises; 5: the network
    std::string layer;        // the Keras line, e.g. Conv2D(64, (3, 3), strides=(2, 2), padding="same")
    std::string node;         // network questions: the node's name
    Shape input;              // the shape that goes in
    Shape shape;              // the right output shape
    std::int64_t params = 0;  // the right parameter count
    std::string worked;       // the worked formula, several lines
    std::string prompt() const;  // the question as asked
};

std::vector<QuizQuestion> make_quiz(std::uint64_t seed, int count = 0);

struct ShapeAnswer {
    bool ok = false;        // three whole numbers found
    int h = 0, w = 0, c = 0;
};
ShapeAnswer parse_shape_answer(const std::string& text);
std::int64_t parse_count_answer(const std::string& text);

struct QuizVerdict {
    bool shape_right = false, params_right = false;
    bool right() const { return shape_right && params_right; }
    std::string feedback;  // "right" / "wrong: the output is ...", then the worked formula
};
QuizVerdict check_answer(const QuizQuestion& q, const ShapeAnswer& shape, std::int64_t params);

}  // namespace convscope
