// convscope-cli quiz: "predict the shape" on stdin/stdout; works in a terminal and with piped answers.

#include <iostream>
#include <string>

#include <unistd.h>

#include "app/cli/commands.hpp"
#include "core/teach/quiz.hpp"

namespace convscope::cli {

namespace {

// Reads one answer line; false at the end of input or when the learner types q / quit.
bool ask(const std::string& question, std::string& line) {
    std::cout << question << std::flush;
    if (!std::getline(std::cin, line)) {
        std::cout << "\n";
        return false;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Answers piped in are not echoed by a terminal: echo them, so that the transcript reads as a dialogue.
    static const bool terminal = ::isatty(STDIN_FILENO) != 0;
    if (!terminal) std::cout << line << "\n";
    return line != "q" && line != "quit";
}

}  // namespace

int cmd_quiz(Args& args) {
    const std::uint64_t seed = std::uint64_t(parse_int(args.get_or("seed", "0"), "seed"));
    const int count = parse_int(args.get_or("questions", "0"), "questions");
    if (count < 0) throw UsageError("--questions " + std::to_string(count) + ": expected 1 or more (0: all)");
    args.finish();
    const std::vector<QuizQuestion> quiz = make_quiz(seed, count);

    std::cout << "Predict the shape (seed " << seed << ", " << quiz.size() << " questions). For each Conv2D or layer,\n"
              << "type the output shape as Keras prints it, e.g. (None, 300, 300, 64) or 300,300,64, then the\n"
              << "number of parameters. q ends the quiz.\n";
    int asked = 0, right = 0, shapes_right = 0, params_right = 0;
    std::vector<std::size_t> mistakes;
    for (std::size_t i = 0; i < quiz.size(); ++i) {
        const QuizQuestion& q = quiz[i];
        const char* part = q.kind == QuizQuestion::Kind::seed_example   ? "the seed's example"
                           : q.kind == QuizQuestion::Kind::random_conv ? "level"
                                                                         : "the network";
        std::cout << "\nQuestion " << i + 1 << " of " << quiz.size() << " (" << part;
        if (q.kind == QuizQuestion::Kind::random_conv) std::cout << " " << q.level;
        std::cout << "): " << q.prompt() << "\n";
        std::string shape_line, params_line;
        ShapeAnswer shape;
        for (;;) {
            if (!ask("output shape? ", shape_line)) goto done;
            shape = parse_shape_answer(shape_line);
            if (shape.ok) break;
            std::cout << "  (three whole numbers, rows, cols, channels: e.g. (None, 300, 300, 64))\n";
        }
        std::int64_t params = -1;
        for (;;) {
            if (!ask("parameters? ", params_line)) goto done;
            params = parse_count_answer(params_line);
            if (params >= 0) break;
            std::cout << "  (a whole number, e.g. 1792 or 1,792)\n";
        }
        {
            const QuizVerdict v = check_answer(q, shape, params);
            ++asked;
            right += v.right();
            shapes_right += v.shape_right;
            params_right += v.params_right;
            if (!v.right()) mistakes.push_back(i);
            std::cout << (v.right() ? "RIGHT\n" : "WRONG\n") << v.feedback;
        }
    }
done:
    std::cout << "\nScore: " << right << " of " << asked << " questions right (shapes " << shapes_right << ", parameters "
              << params_right << ")";
    if (std::size_t(asked) < quiz.size()) std::cout << "; stopped after " << asked << " of " << quiz.size();
    std::cout << "\n";
    if (!mistakes.empty()) {
        std::cout << "To revisit:\n";
        for (std::size_t i : mistakes) {
            const QuizQuestion& q = quiz[i];
            std::cout << "  " << i + 1 << ". " << q.prompt() << "\n     answer: " << keras_shape(q.shape) << ", "
                      << with_thousands(q.params) << " parameters\n";
        }
    }
    return 0;
}

}  // namespace convscope::cli
