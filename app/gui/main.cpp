// convscope: learn how Keras Conv2D and ResNet50 work.
//
// Reads top to bottom like Dear ImGui's example_glfw_opengl3: parse arguments, initialise (GLFW, GL,
// ImGui, fonts, worker), loop (poll, drain worker results, new frame, panels, render, screenshot, swap),
// clean up in reverse order.
//
// Developer aids: CONVSCOPE_FRAME_DEBUG=1 prints per-frame UI / GL / swap times and per-job times to
// stderr; --scripted-change seed|filters|kernel|step changes a playground parameter (or steps to the next
// network layer) whenever the previous change
// is on screen, so --frame-stats can report the change -> maps latency without a human at the mouse.
#include <algorithm>
#include <atomic>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include "app/gui/app_state.hpp"
#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/session.hpp"
#include "app/gui/settings.hpp"
#include "core/export/png.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

// Set by SIGINT/SIGTERM so that the loop ends normally and settings are saved (the loop never sleeps
// longer than half a second, so it notices).
std::atomic<bool> g_stop_signal{false};
void on_signal(int) { g_stop_signal = true; }

const char kUsage[] =
    "usage: convscope [--image PATH] [--sample NAME] [--weights FILE.h5] [--panel playground|network]\n"
    "                 [--session FILE] [--screenshot PATH] [--frames N] [--frame-stats] [--ui-scale S]\n"
    "                 [--theme dark|light] [--timeout SECONDS] [--save-session FILE] [--threads N]\n"
    "  --threads N        engine threads (default: every hardware thread)\n"
    "  --screenshot PATH  save the window as PNG after the first frame with complete results, then exit 0\n"
    "  --layout-report F  write every window's and widget's rectangle, and whether its text was cut, to F\n"
    "                     (see app/gui/layout_report.hpp): with the screenshot, or else of the last frame\n"
    "  --frames N         exit after N frames\n"
    "  --frame-stats      print frame times and the parameter change -> maps latency at exit\n"
    "  --save-session F   write the session (as File > Save session does) when the program ends\n"
    "  --export KIND      once results are complete, export as the Export window does:\n"
    "                     channel | grid | channels | npy | block (into --export-dir DIR, default exports)\n";

struct Args {
    std::string image, sample, weights, panel, session, screenshot, theme;
    std::string layout_report;  // --layout-report FILE, written with the screenshot
    int frames = 0;
    int threads = 0;  // 0: the engine's default, every hardware thread
    bool frame_stats = false;
    float ui_scale = 0.0f;
    double timeout = 300.0;
    std::string export_kind, export_dir;  // --export KIND [--export-dir DIR]: export once results are complete
    std::string save_session;     // write the session here at exit (tests: session round trip)
    std::string scripted_change;  // developer aid: "seed", "filters", "kernel" (playground), "step" (network), "scale"
};

bool parse_args(int argc, char** argv, Args& a, std::string& error) {
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                error = k + " needs a value";
                return false;
            }
            out = argv[++i];
            return true;
        };
        std::string v;
        if (k == "--image") { if (!value(a.image)) return false; }
        else if (k == "--sample") { if (!value(a.sample)) return false; }
        else if (k == "--weights") { if (!value(a.weights)) return false; }
        else if (k == "--panel") {
            if (!value(a.panel)) return false;
            if (a.panel != "playground" && a.panel != "network") {
                error = "--panel " + a.panel + ": expected playground or network";
                return false;
            }
        } else if (k == "--session") { if (!value(a.session)) return false; }
        else if (k == "--screenshot") { if (!value(a.screenshot)) return false; }
        else if (k == "--layout-report") { if (!value(a.layout_report)) return false; }
        else if (k == "--theme") {
            if (!value(a.theme)) return false;
            if (a.theme != "dark" && a.theme != "light") {
                error = "--theme " + a.theme + ": expected dark or light";
                return false;
            }
        } else if (k == "--threads") {
            if (!value(v)) return false;
            char* end = nullptr;
            const long n = std::strtol(v.c_str(), &end, 10);
            if (end == v.c_str() || *end != '\0' || n < 1 || n > 256) {
                error = "--threads " + v + ": expected a whole number from 1 to 256";
                return false;
            }
            a.threads = int(n);
        } else if (k == "--frames" || k == "--ui-scale" || k == "--timeout") {
            if (!value(v)) return false;
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end != '\0' || !(x > 0)) {
                error = k + " " + v + ": expected a positive number";
                return false;
            }
            if (k == "--frames") a.frames = int(x);
            else if (k == "--timeout") a.timeout = x;
            else {
                if (x < 0.5 || x > 4.0) {
                    error = "--ui-scale " + v + ": expected a scale between 0.5 and 4";
                    return false;
                }
                a.ui_scale = float(x);
            }
        } else if (k == "--frame-stats") a.frame_stats = true;
        else if (k == "--save-session") { if (!value(a.save_session)) return false; }
        else if (k == "--export") {
            if (!value(a.export_kind)) return false;
            try {
                parse_export_kind(a.export_kind);
            } catch (const std::exception& e) {
                error = std::string("--export: ") + e.what();
                return false;
            }
        } else if (k == "--export-dir") { if (!value(a.export_dir)) return false; }
        else if (k == "--scripted-change") { if (!value(a.scripted_change)) return false; }
        else if (k == "--help" || k == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else {
            error = "unknown argument " + k;
            return false;
        }
    }
    return true;
}

// Any input means the next frame must be drawn; ImGui's backend chains to these after its own.
void count_input(GLFWwindow* window) {
    if (auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(window))) ++app->input_events;
}
void on_cursor(GLFWwindow* w, double, double) { count_input(w); }
void on_button(GLFWwindow* w, int, int, int) { count_input(w); }
void on_scroll(GLFWwindow* w, double, double) { count_input(w); }
void on_key(GLFWwindow* w, int, int, int, int) { count_input(w); }
void on_char(GLFWwindow* w, unsigned) { count_input(w); }
void on_size(GLFWwindow* w, int, int) { count_input(w); }
void on_focus(GLFWwindow* w, int) { count_input(w); }

void glfw_error(int code, const char* description) { std::fprintf(stderr, "convscope: GLFW error %d: %s\n", code, description); }

// Files dropped on the window: an .h5 is weights, a .json a session, anything else an image.
void on_drop(GLFWwindow* window, int count, const char** paths) {
    auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(window));
    if (!app || count < 1) return;
    const std::string path = paths[0];
    auto ends_with = [&](const char* ext) {
        const std::size_t n = std::strlen(ext);
        if (path.size() < n) return false;
        std::string tail = path.substr(path.size() - n);
        std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return tail == ext;
    };
    if (ends_with(".h5") || ends_with(".hdf5") || ends_with(".keras")) {
        app->weights_path_field = path;
        load_weights(*app, path);
        app->panel = Panel::network;
    } else if (ends_with(".json")) {
        load_session_from(*app, path);
    } else {
        app->image_path_field = path;
        open_image(*app, path);
    }
}

// Fonts are rasterised at the UI scale so text stays crisp on a projector; called between frames.
void apply_scale_and_theme(AppState& app) {
    const Settings& s = app.settings;
    if (s.ui_scale == app.applied_ui_scale && s.theme == app.applied_theme) return;
    ImGuiIO& io = ImGui::GetIO();
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    if (s.theme == Theme::light) ImGui::StyleColorsLight();
    else ImGui::StyleColorsDark();
    style.WindowRounding = 4.0f;
    style.FrameRounding = 3.0f;
    style.GrabRounding = 3.0f;
    style.FrameBorderSize = s.theme == Theme::light ? 1.0f : 0.0f;
    style.ScaleAllSizes(s.ui_scale);
    if (s.ui_scale != app.applied_ui_scale) {
        io.Fonts->Clear();
        const std::string font = app.assets_dir + "/DejaVuSans.ttf";
        ImFontConfig cfg;
        cfg.OversampleH = 2;
        if (!io.Fonts->AddFontFromFileTTF(font.c_str(), std::round(16.0f * s.ui_scale), &cfg)) {
            std::fprintf(stderr, "convscope: cannot read the font %s; using ImGui's built-in font\n", font.c_str());
            ImFontConfig fallback;
            fallback.SizePixels = std::round(13.0f * s.ui_scale);
            io.Fonts->AddFontDefault(&fallback);
        }
        io.Fonts->Build();
        if (app.applied_ui_scale != 0.0f) {  // the backend builds the first texture itself
            ImGui_ImplOpenGL3_DestroyFontsTexture();
            ImGui_ImplOpenGL3_CreateFontsTexture();
        }
    }
    app.applied_ui_scale = s.ui_scale;
    app.applied_theme = s.theme;
}

// The back buffer as an image, top row first.
RgbaImage read_back_buffer(int width, int height) {
    RgbaImage img(width, height);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, img.width, img.height, GL_RGBA, GL_UNSIGNED_BYTE, img.pixels.data());
    // GL's first row is the bottom one; the image's is the top; and the window is opaque.
    for (int y = 0; y < img.height / 2; ++y)
        std::swap_ranges(img.at(0, y), img.at(0, y + 1), img.at(0, img.height - 1 - y));
    for (std::size_t i = 3; i < img.pixels.size(); i += 4) img.pixels[i] = 255;
    return img;
}

bool save_screenshot(const std::string& path, int width, int height, std::string& error) {
    try {
        save_png(path, read_back_buffer(width, height));
        return true;
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, std::size_t(std::ceil(p * double(v.size())) - 1 + 0.5));
    return v[std::min(v.size() - 1, i)];
}

void print_frame_stats(const AppState& app) {
    auto line = [](const char* what, const std::vector<double>& v) {
        if (v.empty()) {
            std::printf("%s: no samples\n", what);
            return;
        }
        std::printf("%s: n=%zu median %.1f ms, p95 %.1f ms, max %.1f ms\n", what, v.size(), percentile(v, 0.5),
                    percentile(v, 0.95), *std::max_element(v.begin(), v.end()));
    };
    line("frame time (all frames)", app.frame_stats.frame_ms);
    line("frame time (while the worker runs)", app.frame_stats.busy_frame_ms);
    line("frame interval (while the worker runs)", app.frame_stats.busy_interval_ms);
    line("param change -> maps on screen", app.frame_stats.change_to_maps_ms);
    const auto& steps = app.frame_stats.step_to_maps_frames;
    if (!steps.empty()) {
        const auto same = std::count(steps.begin(), steps.end(), 0.0);
        std::printf("node step -> maps on screen: n=%zu, in the same frame %ld, median %.0f frames later, max %.0f\n",
                    steps.size(), long(same), percentile(steps, 0.5), *std::max_element(steps.begin(), steps.end()));
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __GLIBC__
    // Feature maps are large (600 x 600 x 64 floats = 92 MB) and replaced on every parameter change. From
    // the heap, a freed buffer is reused at once; from mmap (glibc's default above 32 MB) every new one is
    // page-faulted in again, which costs more than the convolution itself. One arena: glibc's per-thread
    // arenas cannot hold blocks this large and would fall back to mmap for the worker's allocations.
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 512 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
    // --- arguments and settings
    Args args;
    std::string arg_error;
    if (!parse_args(argc, argv, args, arg_error)) {
        std::fprintf(stderr, "convscope: %s\n%s", arg_error.c_str(), kUsage);
        return 2;
    }
    const bool automated = !args.screenshot.empty() || args.frames > 0;
    auto app_ptr = std::make_unique<AppState>();
    AppState& app = *app_ptr;
    app.assets_dir = CONVSCOPE_ASSETS_DIR;
    app.config_dir = config_directory();
    app.settings = load_settings(app.config_dir + "/settings.ini");
    if (args.ui_scale > 0) app.settings.ui_scale = args.ui_scale;
    if (!args.theme.empty()) app.settings.theme = args.theme == "light" ? Theme::light : Theme::dark;
    app.screenshot_path = args.screenshot;
    layout_report::enable(!args.layout_report.empty());
    app.max_frames = args.frames;
    app.print_frame_stats = args.frame_stats;

    // --- window and GL context
    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "convscope: cannot initialise GLFW (is there a display? try xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    GLFWwindow* window = glfwCreateWindow(app.settings.window_width, app.settings.window_height,
                                          "convscope - Keras Conv2D and ResNet50", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "convscope: cannot open an OpenGL 3.3 window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    glfwSetWindowUserPointer(window, &app);
    glfwSetDropCallback(window, on_drop);
    glfwSetCursorPosCallback(window, on_cursor);
    glfwSetMouseButtonCallback(window, on_button);
    glfwSetScrollCallback(window, on_scroll);
    glfwSetKeyCallback(window, on_key);
    glfwSetCharCallback(window, on_char);
    glfwSetFramebufferSizeCallback(window, on_size);
    glfwSetWindowFocusCallback(window, on_focus);

    // --- Dear ImGui
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    app.imgui_ini_path = app.config_dir + "/imgui.ini";
    if (!automated) {
        std::error_code ec;
        std::filesystem::create_directories(app.config_dir, ec);
    }
    io.IniFilename = automated ? nullptr : app.imgui_ini_path.c_str();  // scripted runs leave the user's files alone
    if (!app.screenshot_path.empty()) io.ConfigFlags |= ImGuiConfigFlags_NoMouse;  // no stray hover in screenshots
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330");
    apply_scale_and_theme(app);

    // --- ImageNet class names for the classifier top (a small text file; missing is not an error)
    {
        std::ifstream classes(app.assets_dir + "/imagenet_classes.txt");
        for (std::string line; std::getline(classes, line);) app.class_names.push_back(line);
    }

    // --- the worker, and what to show first
    app.worker.start(app.assets_dir, [] { glfwPostEmptyEvent(); }, args.threads);
    refresh_network_structure(app);
    refresh_playground_geometry(app);
    if (!args.session.empty()) load_session_from(app, args.session);
    if (!args.sample.empty()) app.image_source = sample_source(args.sample);
    if (!args.image.empty()) {
        app.image_source = args.image;
        app.image_path_field = args.image;
    }
    if (!args.weights.empty()) {
        app.weights_path_field = args.weights;
        load_weights(app, args.weights);
    }
    if (!args.panel.empty()) app.panel = parse_panel(args.panel);
    else if (!args.weights.empty()) app.panel = Panel::network;  // weights are for the network: show it
    if (!args.export_dir.empty()) app.export_dir = args.export_dir;
    bool export_pending = !args.export_kind.empty();
    sync_worker(app);

    // --- main loop
    app.last_selected_node = app.selected_node;  // the first selection is not a step
    const double start_time = now_seconds();
    int complete_frames = 0;
    int settle_frames = 3;
    int inputs_seen = 0;  // app.input_events when the last frame started
    double last_frame_start = 0.0;
    int exit_code = 0;
    int scripted_step = 0;
    int step_frame = -1;  // frame of the last node selection change, until its maps are shown
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!glfwWindowShouldClose(window) && !app.quit_requested && !g_stop_signal) {
        // Sleep while minimised. Otherwise draw a frame only when something changed: input, a worker
        // result, or (at most ten times a second) progress. Software GL makes every frame cost CPU that
        // the engine would rather have.
        if (glfwGetWindowAttrib(window, GLFW_ICONIFIED)) {
            glfwWaitEvents();
            continue;
        }
        const bool worker_busy = app.worker.busy() || app.worker.render_busy();

        if (settle_frames > 0) glfwPollEvents();
        else glfwWaitEventsTimeout(worker_busy ? 0.1 : 0.5);
        const bool input = app.input_events != inputs_seen;
        inputs_seen = app.input_events;
        bool arrived = drain_worker(app);
        arrived |= take_render(app);
        while (auto r = app.worker.take_task_result()) {
            app.export_notice.ok = r->ok;  // about the node and folder the export started with
            app.export_notice.text = r->ok ? r->message : "Nothing was written: " + r->message;
            arrived = true;
        }
        const double frame_start = now_seconds();
        const bool progress_due = app.progress_changed && frame_start - last_frame_start > 0.1;
        const bool scripted = !args.scripted_change.empty() && scripted_step < 40;
        if (input || arrived) settle_frames = 3;  // a few frames for ImGui's hover and layout to catch up
        const bool notice_due = !app.status_message.empty() && notice_expired(app.status_time, frame_start);
        if (!(input || arrived || progress_due || settle_frames > 0 || scripted || app.frame_index < 3 ||
              app.request_dirty || notice_due))
            continue;
        if (settle_frames > 0) --settle_frames;
        app.progress_changed = false;
        apply_scale_and_theme(app);

        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        layout_report::begin_frame();
        app.hover.valid = false;
        if (!args.scripted_change.empty() && complete_frames > 1 && scripted_step < 40) {
            // Developer aid for measuring latency: one parameter change each time the last one is on screen.
            if (results_complete(app)) {
                Conv2DConfig& c = app.playground.conv;
                if (args.scripted_change == "step") {  // the network: next layer, as the Right arrow does
                    step_layer(app, +1);
                } else if (args.scripted_change == "scale") {  // UI scale and theme, as Ctrl+= and T do
                    app.settings.ui_scale = app.settings.ui_scale >= 2.0f ? 1.0f : app.settings.ui_scale + 0.25f;
                    app.settings.theme = app.settings.theme == Theme::dark ? Theme::light : Theme::dark;
                } else if (args.scripted_change == "seed") {  // the case: 600x600x3 -> 64 filters 3x3 'same'
                    c = Conv2DConfig{};
                    c.filters = 64;
                    c.padding = Padding::same;
                    app.playground.input_height = app.playground.input_width = 600;
                    app.playground.kernel_source = KernelSource::glorot_uniform;
                    app.playground.seed = app.playground.seed == 1 ? 2 : 1;
                } else if (args.scripted_change == "kernel") {  // same output shape: the engine reuses its buffer
                    c.filters = 64;
                    c.padding = Padding::same;
                    c.kernel_size = c.kernel_size.rows == 3 ? IntPair(5, 5) : IntPair(3, 3);
                } else {
                    c.filters = c.filters == 64 ? 63 : 64;
                }
                refresh_playground_geometry(app);
                ++scripted_step;
            }
        }
        handle_shortcuts(app);
        draw_menu_bar(app);
        layout_windows(app);
        if (app.selected_node != app.last_selected_node) {
            app.last_selected_node = app.selected_node;
            app.scroll_tree_to_selection = true;
            step_frame = app.frame_index;  // measure how many frames until its maps are on screen
        }
        sync_worker(app);
        request_render(app);
        if (step_frame >= 0 && app.wanted_render_signature != 0 &&
            app.wanted_render_signature == app.shown_render_signature) {
            app.frame_stats.step_to_maps_frames.push_back(double(app.frame_index - step_frame));
            step_frame = -1;
        }
        ImGui::Render();

        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(window, &fb_w, &fb_h);
        glViewport(0, 0, fb_w, fb_h);
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

        // --screenshot: after the first frames that show complete results (two more so layout settles).
        bool complete = results_complete(app);
        if (complete && export_pending) {
            app.settings.show_export = true;  // the screenshot shows the confirmation
            start_export(app, parse_export_kind(args.export_kind));
            export_pending = false;
            complete = false;
        }
        complete_frames = complete ? complete_frames + 1 : 0;
        bool finished = false;
        if (!app.screenshot_path.empty()) {
            const bool timed_out = now_seconds() - start_time > args.timeout;
            if (complete_frames >= 3 || timed_out) {
                std::string err;
                if (!args.layout_report.empty() &&
                    !layout_report::write(args.layout_report, app.settings.ui_scale, err)) {
                    std::fprintf(stderr, "convscope: --layout-report: %s\n", err.c_str());
                    exit_code = 1;
                } else if (!save_screenshot(app.screenshot_path, fb_w, fb_h, err)) {
                    std::fprintf(stderr, "convscope: %s\n", err.c_str());
                    exit_code = 1;
                } else if (timed_out) {
                    std::fprintf(stderr, "convscope: results not complete after %.0f s; saved the window as it is\n",
                                 args.timeout);
                    exit_code = 1;
                }
                finished = true;
            }
        }
        glfwSwapBuffers(window);

        const double frame_end = now_seconds();
        app.frame_stats.frame_ms.push_back((frame_end - frame_start) * 1000.0);
        if (worker_busy) {
            app.frame_stats.busy_frame_ms.push_back((frame_end - frame_start) * 1000.0);
            if (last_frame_start > 0) app.frame_stats.busy_interval_ms.push_back((frame_start - last_frame_start) * 1000.0);
        }
        last_frame_start = frame_start;
        // While the engine works, at most ~40 frames a second: on a software GL driver every frame costs
        // CPU the engine needs, and the user sees no difference.
        if (worker_busy) {
            const double spent = now_seconds() - frame_start;
            // Waiting (not sleeping): input or a finished result still starts the next frame at once.
            if (spent < 0.025) glfwWaitEventsTimeout(0.025 - spent);
        }
        if (app.latency_pending) {
            app.frame_stats.change_to_maps_ms.push_back((frame_end - app.latency_start) * 1000.0);
            app.latency_pending = false;
        }
        app.request_dirty = false;
        ++app.frame_index;
        if (!args.scripted_change.empty() && scripted_step >= 40 && complete) finished = true;  // script done
        if (finished || (app.max_frames > 0 && app.frame_index >= app.max_frames)) break;
    }
    if (app.print_frame_stats) print_frame_stats(app);
    if (!args.layout_report.empty() && app.screenshot_path.empty()) {  // an interactive run: its last frame
        std::string err;
        if (!layout_report::write(args.layout_report, app.settings.ui_scale, err)) {
            std::fprintf(stderr, "convscope: --layout-report: %s\n", err.c_str());
            exit_code = 1;
        }
    }
    if (!args.save_session.empty()) {
        try {
            save_session(capture(app), args.save_session);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "convscope: %s\n", e.what());
            exit_code = 1;
        }
    }

    // --- cleanup, in reverse
    if (!automated) {
        glfwGetWindowSize(window, &app.settings.window_width, &app.settings.window_height);
        std::string err;
        if (!save_settings(app.settings, app.config_dir + "/settings.ini", err))
            std::fprintf(stderr, "convscope: settings not saved: %s\n", err.c_str());
    }
    app.worker.stop();
    if (io.IniFilename) ImGui::SaveIniSettingsToDisk(io.IniFilename);
    io.IniFilename = nullptr;  // the path lives in `app`, which goes next
    app_ptr.reset();           // GL textures go while the context still exists
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exit_code;
}
