// convscope: learn how Keras Conv2D and ResNet50 work.
//
// Reads top to bottom like Dear ImGui's example_glfw_opengl3: parse arguments, initialise (GLFW, GL,
// ImGui, fonts, worker), loop (poll, drain worker results, new frame, panels, render, swap), clean up in
// reverse order. What runs without a person at the mouse (screenshots, --export, scripted changes, frame
// statistics) is in automation.cpp.
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
#include "app/gui/automation.hpp"
#include "app/gui/layout_report.hpp"
#include "app/gui/leak_report_support.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/session.hpp"
#include "app/gui/settings.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

// Set by SIGINT/SIGTERM so that the loop ends normally and settings are saved (the loop never sleeps
// longer than half a second, so it notices).
std::atomic<bool> g_stop_signal{false};
void on_signal(int) { g_stop_signal = true; }

const char kUsage[] =
    "usage: convscope [--image PATH] [--sample NAME] [--weights FILE.h5] [--panel playground|network]\n"
    "                 [--session FILE] [--screenshot PATH] [--layout-report FILE] [--frames N] [--frame-stats]\n"
    "                 [--ui-scale S] [--theme dark|light] [--timeout SECONDS] [--save-session FILE] [--threads N]\n"
    "                 [--hidden] [--column controls|maps|inspector] [--sees cam|patches|rpn] [--steps] [--quiz]\n"
    "                 [--compare] [--export KIND] [--export-dir DIR] [--help]\n"
    "                 [--scripted-change seed|filters|kernel|step|scale|image]\n"
    "  --column C         what fills the window when it is too small for two columns at its UI scale\n"
    "                     (a 1280 x 720 projector at 250 or 300 %): the controls (default), maps or inspector\n"
    "  --threads N        engine threads (default: every hardware thread)\n"
    "  --sees TAB         open \"What the network sees\" on a tab: cam (class activation map), patches (the\n"
    "                     selected node's top patches), rpn (the Faster R-CNN grid); a --screenshot waits for it\n"
    "  --steps            open \"Step by step\" on the playground's convolution\n"
    "  --quiz             open the \"Predict the shape\" quiz\n"
    "  --compare          open \"Compare A / B\" (a session file can hold the pinned setting A)\n"
    "  --screenshot PATH  save the window as PNG after the first frame with complete results, then exit 0\n"
    "  --layout-report F  write every window's and widget's rectangle, and whether its text was cut, to F\n"
    "                     (see app/gui/layout_report.hpp): with the screenshot, or else of the last frame\n"
    "  --frames N         exit after N frames\n"
    "  --frame-stats      print frame times, the parameter change -> maps latency and every network run's\n"
    "                     time at exit\n"
    "  --hidden           never show the window and exit once results are complete (nothing is drawn; with\n"
    "                     --frame-stats, measures the network with the CPU left to the engine)\n"
    "  --scripted-change seed|filters|kernel|step|scale|image\n"
    "                     make that change whenever the previous one is on screen, then exit (measuring)\n"
    "  --save-session F   write the session (as File > Save session does) when the program ends\n"
    "  --export KIND      once results are complete, export as the Export window does:\n"
    "                     channel | grid | channels | npy | block (into --export-dir DIR, default exports),\n"
    "                     then exit (1 if nothing was written)\n"
    "  --export-dir DIR   where --export and the Export window write (default: exports)\n"
    "  --help, -h         print this and exit\n";

struct Args {
    std::string image, sample, weights, panel, session, theme, column, sees;
    bool steps = false, quiz = false, compare = false;
    int threads = 0;  // 0: the engine's default, every hardware thread
    float ui_scale = 0.0f;
    std::string export_dir;
    std::string save_session;  // write the session here at exit (tests: session round trip)
    AutomationOptions automation;
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
        } else if (k == "--column") {
            if (!value(a.column)) return false;
            if (a.column != "controls" && a.column != "maps" && a.column != "inspector") {
                error = "--column " + a.column + ": expected controls, maps or inspector";
                return false;
            }
        } else if (k == "--sees") {
            if (!value(a.sees)) return false;
            if (a.sees != "cam" && a.sees != "patches" && a.sees != "rpn") {
                error = "--sees " + a.sees + ": expected cam, patches or rpn";
                return false;
            }
        } else if (k == "--steps") {
            a.steps = true;
        } else if (k == "--quiz") {
            a.quiz = true;
        } else if (k == "--compare") {
            a.compare = true;
        } else if (k == "--session") { if (!value(a.session)) return false; }
        else if (k == "--screenshot") { if (!value(a.automation.screenshot)) return false; }
        else if (k == "--layout-report") { if (!value(a.automation.layout_report)) return false; }
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
            if (k == "--frames") a.automation.frames = int(x);
            else if (k == "--timeout") a.automation.timeout = x;
            else {
                if (x < 0.5 || x > 4.0) {
                    error = "--ui-scale " + v + ": expected a scale between 0.5 and 4";
                    return false;
                }
                a.ui_scale = float(x);
            }
        } else if (k == "--frame-stats") a.automation.frame_stats = true;
        else if (k == "--hidden") a.automation.hidden = true;
        else if (k == "--save-session") { if (!value(a.save_session)) return false; }
        else if (k == "--export") {
            if (!value(a.automation.export_kind)) return false;
            try {
                parse_export_kind(a.automation.export_kind);
            } catch (const std::exception& e) {
                error = std::string("--export: ") + e.what();
                return false;
            }
        } else if (k == "--export-dir") { if (!value(a.export_dir)) return false; }
        else if (k == "--scripted-change") {
            if (!value(a.automation.scripted_change)) return false;
            const std::string& c = a.automation.scripted_change;
            if (c != "seed" && c != "filters" && c != "kernel" && c != "step" && c != "scale" && c != "image") {
                error = "--scripted-change " + c + ": expected seed, filters, kernel, step, scale or image";
                return false;
            }
        }
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

// Any input means the next frame must be drawn; ImGui's backend chains to these after its own. Clicks, scrolls
// and keys are the user acting (the window's size, focus and the pointer's position also change when it opens).
void count_input(GLFWwindow* window, bool by_user = true) {
    if (auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(window))) {
        ++app->input_events;
        if (by_user) app->last_input_seconds = now_seconds();
    }
}
void on_cursor(GLFWwindow* w, double, double) { count_input(w, false); }
void on_button(GLFWwindow* w, int, int, int) { count_input(w); }
void on_scroll(GLFWwindow* w, double, double) { count_input(w); }
// Keys and characters go to ImGui through the queue (key_events.hpp): ImGui 1.86 would miss a key pressed and
// released between two frames. Installed after ImGui's backend, in place of its callbacks; feed_imgui() hands
// each frame its share.
void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
    count_input(w);
    if (auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(w)))
        app->key_events.push({KeyEvent::Kind::key, key, scancode, action, mods, 0});
}
void on_char(GLFWwindow* w, unsigned codepoint) {
    count_input(w);
    if (auto* app = static_cast<AppState*>(glfwGetWindowUserPointer(w)))
        app->key_events.push({KeyEvent::Kind::character, 0, 0, 0, 0, codepoint});
}
void feed_imgui(GLFWwindow* w, KeyEventQueue& queue) {
    for (const KeyEvent& e : queue.take_frame()) {
        if (e.kind == KeyEvent::Kind::key) ImGui_ImplGlfw_KeyCallback(w, e.key, e.scancode, e.action, e.mods);
        else ImGui_ImplGlfw_CharCallback(w, e.codepoint);
    }
}
void on_size(GLFWwindow* w, int, int) { count_input(w, false); }
void on_focus(GLFWwindow* w, int) { count_input(w, false); }

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
    const bool automated = args.automation.active();
    auto app_ptr = std::make_unique<AppState>();
    AppState& app = *app_ptr;
    app.assets_dir = CONVSCOPE_ASSETS_DIR;
    app.config_dir = config_directory();
    app.settings = load_settings(app.config_dir + "/settings.ini");
    if (args.ui_scale > 0) app.settings.ui_scale = args.ui_scale;
    if (!args.theme.empty()) app.settings.theme = args.theme == "light" ? Theme::light : Theme::dark;

    // --- window and GL context
    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "convscope: cannot initialise GLFW (is there a display? try xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    if (args.automation.hidden) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    GLFWwindow* window = glfwCreateWindow(app.settings.window_width, app.settings.window_height,
                                          "convscope - Keras Conv2D and ResNet50", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "convscope: cannot open an OpenGL 3.3 window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    keep_libraries_loaded_for_leak_reports();  // the GL driver is loaded now (AddressSanitizer builds only)
    glfwSwapInterval(1);
    glfwSetWindowUserPointer(window, &app);
    glfwSetDropCallback(window, on_drop);
    glfwSetCursorPosCallback(window, on_cursor);
    glfwSetMouseButtonCallback(window, on_button);
    glfwSetScrollCallback(window, on_scroll);
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
    if (!args.automation.screenshot.empty()) io.ConfigFlags |= ImGuiConfigFlags_NoMouse;  // no stray hover in screenshots
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    glfwSetKeyCallback(window, on_key);  // after the backend's: keys reach it through the queue (feed_imgui)
    glfwSetCharCallback(window, on_char);
    ImGui_ImplOpenGL3_Init("#version 330");
    apply_scale_and_theme(app);

    // --- ImageNet class names for the classifier top (a small text file; missing is not an error)
    {
        std::ifstream classes(app.assets_dir + "/imagenet_classes.txt");
        for (std::string line; std::getline(classes, line);) app.class_names.push_back(line);
    }

    // --- the worker, and what to show first
    app.worker.start(app.assets_dir, [] { glfwPostEmptyEvent(); }, args.threads);
    app.engine_threads = args.threads;
    // The ImageNet files already on this computer: used on start when the user names no weights.
    app.imagenet.service = std::make_unique<WeightsService>([] { glfwPostEmptyEvent(); });
    app.imagenet.use_found = args.weights.empty() && args.session.empty();
    app.imagenet.service->discover();
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
    if (args.column == "maps") app.column = Column::maps;
    else if (args.column == "inspector") app.column = Column::inspector;
    else if (!args.weights.empty()) app.panel = Panel::network;  // weights are for the network: show it
    if (!args.export_dir.empty()) app.export_dir = args.export_dir;
    if (args.steps) app.settings.show_steps = true;
    if (args.quiz) app.settings.show_quiz = true;
    if (args.compare) app.settings.show_compare = true;
    if (!args.sees.empty()) {
        app.settings.show_sees = true;
        app.sees.tab = args.sees == "cam"       ? NetworkSees::Tab::cam
                       : args.sees == "patches" ? NetworkSees::Tab::patches
                                                : NetworkSees::Tab::rpn;
        app.sees.select_tab = true;
    }
    sync_worker(app);
    Automation automation;
    start_automation(automation, args.automation, app);

    // --- main loop
    int settle_frames = 3;
    int inputs_seen = 0;  // app.input_events when the last frame started
    double last_frame_start = 0.0;
    bool results_waiting = false;  // arrived while the engine works and the user does not act (see below)
    int exit_code = 0;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!glfwWindowShouldClose(window) && !app.quit_requested && !g_stop_signal) {
        // Minimised or hidden: nothing is drawn, results still arrive (and a scripted run goes on).
        if (glfwGetWindowAttrib(window, GLFW_ICONIFIED) || !glfwGetWindowAttrib(window, GLFW_VISIBLE)) {
            glfwWaitEventsTimeout(0.5);
            drain_worker(app);
            poll_weights_service(app);
            if (!automation.options.active()) continue;
            before_panels(automation, app);
            sync_worker(app);
            if (hidden_run_finished(automation, app)) break;
            continue;
        }
        // Otherwise draw a frame only when something changed: input, a result that is on screen, or (a few
        // times a second) progress. Software GL makes every frame cost CPU that the engine would rather have.
        const bool worker_busy = app.worker.busy() || app.worker.render_busy();
        if (settle_frames > 0 || app.key_events.pending()) glfwPollEvents();
        else glfwWaitEventsTimeout(conv_steps_animating(app) ? 0.02 : worker_busy ? 0.1 : 0.5);
        const bool input = app.input_events != inputs_seen;
        inputs_seen = app.input_events;
        bool arrived = drain_worker(app);
        arrived |= poll_weights_service(app);
        arrived |= poll_network_sees(app);
        arrived |= take_render(app);
        render_neighbours_ahead(app);
        while (auto r = app.worker.take_task_result()) {
            if (r->from == "compare") {
                app.compare.export_message = r->message;
                app.compare.export_ok = r->ok;
                arrived = true;
                continue;
            }
            if (r->from == "cam") {
                app.sees.cam_notice = r->message;
                app.sees.cam_notice_ok = r->ok;
                arrived = true;
                continue;
            }
            app.export_notice.ok = r->ok;  // about the node and folder the export started with
            app.export_notice.text = r->ok ? r->message : "Nothing was written: " + r->message;
            arrived = true;
        }
        const double now = now_seconds();
        // Progress twice a second, and results that arrive while the engine works with it unless the user acts:
        // on a software GL driver a frame of this window costs tens of milliseconds of CPU that the engine would
        // rather have (ui_rules.hpp).
        results_waiting |= arrived;
        const bool progress_due = app.progress_changed && now - last_frame_start > kProgressFrameSeconds;
        const bool results_due =
            results_waiting && result_frame_due(app.worker.busy(), app.last_input_seconds, last_frame_start, now);
        if (input) settle_frames = 3;  // a few frames for ImGui's hover and layout to catch up
        else if (results_due) settle_frames = std::max(settle_frames, 1);
        const bool notice_due = !app.status_message.empty() && notice_expired(app.status_time, now);  // to clear it
        if (!(input || results_due || progress_due || settle_frames > 0 || automation.frame_due(app) || app.frame_index < 3 ||
              app.request_dirty || notice_due || conv_steps_animating(app) || app.key_events.pending()))
            continue;
        if (settle_frames > 0) --settle_frames;
        last_frame_start = now;
        app.progress_changed = false;
        results_waiting = false;
        apply_scale_and_theme(app);

        feed_imgui(window, app.key_events);  // a tap's press this frame, its release the next
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        layout_report::begin_frame();
        app.hover.valid = false;
        before_panels(automation, app);
        handle_shortcuts(app);
        draw_menu_bar(app);
        layout_windows(app);
        after_panels(automation, app);
        sync_worker(app);
        request_shown_nodes(app);
        request_render(app);
        ImGui::Render();

        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(window, &fb_w, &fb_h);
        glViewport(0, 0, fb_w, fb_h);
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        glClearColor(bg.x, bg.y, bg.z, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (app.screenshot_requested) {
            app.screenshot_requested = false;
            save_window_screenshot(app, fb_w, fb_h);
        }
        const bool finished = after_render(automation, app, fb_w, fb_h, exit_code);
        glfwSwapBuffers(window);
        after_swap(automation, app);

        // While the engine works, at most ~40 frames a second: on a software GL driver every frame costs
        // CPU the engine needs, and the user sees no difference.
        if (worker_busy) {
            const double spent = now_seconds() - now;
            // Waiting (not sleeping): input or a finished result still starts the next frame at once.
            if (spent < 0.025) glfwWaitEventsTimeout(0.025 - spent);
        }
        app.request_dirty = false;
        ++app.frame_index;
        if (finished) break;
    }
    after_loop(automation, app, exit_code);
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
    app.imagenet.service.reset();  // cancels a download (its .part file is kept for a resume)
    app.sees.patches.reset();      // its thread wakes the UI through GLFW: stopped while GLFW is up
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
