#include "app/gui/automation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include <GLFW/glfw3.h>  // the GL headers, for reading back the frame

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/png.hpp"
#include "core/image/image.hpp"

namespace convscope::gui {

namespace {

// How many changes a scripted run makes: a network picture change recomputes everything, the others are quick.
int scripted_step_count(const std::string& kind) { return kind == "image" ? 6 : 40; }

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

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::size_t(std::ceil(p * double(v.size())) - 1 + 0.5);
    return v[std::min(v.size() - 1, i)];
}

void scripted_change(Automation& a, AppState& app) {
    const std::string& kind = a.options.scripted_change;
    Conv2DConfig& c = app.playground.conv;
    if (kind == "step") {  // the network: next layer, as the Right arrow does
        step_layer(app, +1);
    } else if (kind == "scale") {  // UI scale and theme, as Ctrl+= and T do
        app.settings.ui_scale = app.settings.ui_scale >= 2.0f ? 1.0f : app.settings.ui_scale + 0.25f;
        app.settings.theme = app.settings.theme == Theme::dark ? Theme::light : Theme::dark;
    } else if (kind == "image") {  // the next bundled picture
        const std::vector<std::string> samples = sample_names();
        app.image_source = sample_source(samples[std::size_t(a.scripted_steps + 1) % samples.size()]);
        app.request_dirty = true;
    } else if (kind == "seed") {  // 600x600x3 -> 64 filters 3x3 'same', reseeded
        c = Conv2DConfig{};
        c.filters = 64;
        c.padding = Padding::same;
        app.playground.input_height = app.playground.input_width = 600;
        app.playground.kernel_source = KernelSource::glorot_uniform;
        app.playground.seed = app.playground.seed == 1 ? 2 : 1;
    } else if (kind == "kernel") {  // same output shape: the engine reuses its buffer
        c.filters = 64;
        c.padding = Padding::same;
        c.kernel_size = c.kernel_size.rows == 3 ? IntPair(5, 5) : IntPair(3, 3);
    } else {  // filters
        c.filters = c.filters == 64 ? 63 : 64;
    }
    refresh_playground_geometry(app);
    ++a.scripted_steps;
}

}  // namespace

bool Automation::scripting() const {
    return !options.scripted_change.empty() && scripted_steps < scripted_step_count(options.scripted_change);
}

bool Automation::frame_due(const AppState& app) const {
    // --frames N counts drawn frames: an idle window draws none, so they are drawn one after another.
    if (options.frames > 0) return true;
    const bool waiting = scripting() || !options.screenshot.empty() || export_state != Export::none;
    if (!waiting) return false;
    return results_complete(app) || now_seconds() - start_time > options.timeout;
}

void start_automation(Automation& a, AutomationOptions options, AppState& app) {
    a.options = std::move(options);
    a.start_time = now_seconds();
    a.export_state = a.options.export_kind.empty() ? Automation::Export::none : Automation::Export::pending;
    // The export window open from the start: the nodes a block export writes that the run did not (folded
    // BatchNormalization and Add outputs) are asked for while results complete, and a screenshot shows the
    // confirmation.
    if (a.export_state == Automation::Export::pending) app.settings.show_export = true;
    layout_report::enable(!a.options.layout_report.empty());
    app.last_selected_node = app.selected_node;  // the first selection is not a step
    app.scroll_tree_to_selection = true;         // but the layer table opens at it (a session's selected node)
}

void before_panels(Automation& a, AppState& app) {
    a.frame_start = now_seconds();
    a.worker_busy = app.worker.busy() || app.worker.render_busy();
    // One change each time the last one is on screen (and the first results have settled).
    if (a.scripting() && a.complete_frames > 1 && results_complete(app)) scripted_change(a, app);
}

void after_panels(Automation& a, AppState& app) {
    if (app.selected_node != app.last_selected_node) {
        app.last_selected_node = app.selected_node;
        app.scroll_tree_to_selection = true;
        a.step_frame = app.frame_index;  // measure how many frames until its maps are on screen
    }
}

bool after_render(Automation& a, AppState& app, int fb_width, int fb_height, int& exit_code) {
    if (a.step_frame >= 0 && app.wanted_render_signature != 0 &&
        app.wanted_render_signature == app.shown_render_signature) {
        app.frame_stats.step_to_maps_frames.push_back(double(app.frame_index - a.step_frame));
        a.step_frame = -1;
    }
    bool complete = results_complete(app);
    if (a.export_state == Automation::Export::pending && complete) {
        start_export(app, parse_export_kind(a.options.export_kind));
        a.export_state = Automation::Export::running;  // the files are written on the render thread
        complete = false;
    } else if (a.export_state == Automation::Export::running && complete) {
        a.export_state = Automation::Export::done;
        a.export_failed = !app.export_notice.ok;
        if (a.export_failed) std::fprintf(stderr, "convscope: %s\n", app.export_notice.text.c_str());
    }
    a.complete_frames = complete ? a.complete_frames + 1 : 0;
    const bool exporting = a.export_state == Automation::Export::pending || a.export_state == Automation::Export::running;
    const bool timed_out = now_seconds() - a.start_time > a.options.timeout;
    bool finished = false;
    if (!a.options.screenshot.empty()) {
        // After the first frames that show complete results (two more, so that layout settles).
        if ((a.complete_frames >= 3 && !exporting) || timed_out) {
            std::string err;
            if (!a.options.layout_report.empty() &&
                !layout_report::write(a.options.layout_report, app.settings.ui_scale, err)) {
                std::fprintf(stderr, "convscope: --layout-report: %s\n", err.c_str());
                exit_code = 1;
            } else {
                try {
                    save_png(a.options.screenshot, read_back_buffer(fb_width, fb_height));
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "convscope: %s\n", e.what());
                    exit_code = 1;
                }
            }
            finished = true;
        }
    } else if (a.export_state == Automation::Export::done) {
        finished = true;  // --export alone: the files are written
    } else if (exporting && timed_out) {
        finished = true;
    }
    if (finished && timed_out && a.complete_frames < 3) {
        std::fprintf(stderr, "convscope: results not complete after %.0f s; %s\n", a.options.timeout,
                     a.options.screenshot.empty() ? "nothing was exported" : "saved the window as it is");
        exit_code = 1;
    }
    if (a.export_failed) exit_code = 1;
    if (!a.options.scripted_change.empty() && !a.scripting() && complete) finished = true;  // script done
    if (a.options.frames > 0 && app.frame_index + 1 >= a.options.frames) finished = true;
    return finished;
}

void save_window_screenshot(AppState& app, int fb_width, int fb_height) {
    const std::string folder = app.export_dir.empty() ? std::string(".") : app.export_dir;
    char stamp[32];
    const std::time_t t = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&t));
    std::string path = folder + "/convscope-" + stamp + ".png";
    for (int n = 2; std::filesystem::exists(path); ++n) path = folder + "/convscope-" + stamp + "-" + std::to_string(n) + ".png";
    std::vector<std::string> created;
    try {
        created = ensure_directory(folder);
        save_png(path, read_back_buffer(fb_width, fb_height));
        set_notice(app, "Screenshot saved to " + path);
    } catch (const std::exception& e) {
        std::error_code ec;
        for (auto it = created.rbegin(); it != created.rend(); ++it) std::filesystem::remove(*it, ec);  // no empty folder left
        show_error(app, std::string("Screenshot not saved: ") + e.what());
    }
}

void after_swap(Automation& a, AppState& app) {
    const double frame_end = now_seconds();
    FrameStats& s = app.frame_stats;
    s.frame_ms.push_back((frame_end - a.frame_start) * 1000.0);
    if (a.worker_busy) {
        s.busy_frame_ms.push_back((frame_end - a.frame_start) * 1000.0);
        if (a.last_frame_start > 0) s.busy_interval_ms.push_back((a.frame_start - a.last_frame_start) * 1000.0);
    }
    a.last_frame_start = a.frame_start;
    if (app.latency_pending) {
        s.change_to_maps_ms.push_back((frame_end - app.latency_start) * 1000.0);
        app.latency_pending = false;
    }
}

bool hidden_run_finished(Automation& a, AppState& app) {
    const bool complete = results_complete(app);
    a.complete_frames = complete ? a.complete_frames + 1 : 0;
    if (now_seconds() - a.start_time > a.options.timeout) return true;
    return complete && a.complete_frames > 1 && !a.scripting();
}

void after_loop(const Automation& a, const AppState& app, int& exit_code) {
    if (a.options.frame_stats) print_frame_stats(app);
    if (!a.options.layout_report.empty() && a.options.screenshot.empty()) {  // an interactive run: its last frame
        std::string err;
        if (!layout_report::write(a.options.layout_report, app.settings.ui_scale, err)) {
            std::fprintf(stderr, "convscope: --layout-report: %s\n", err.c_str());
            exit_code = 1;
        }
    }
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
    // The engine's run alone, as convscope-cli bench times it, after the preparation bench also makes before
    // timing (packing kernels and touching new output memory: most of it before the first run).
    for (const AppState::NetworkRunTime& t : app.network_runs)
        std::printf("network run: %.0f ms (after %.0f ms of preparation)\n", t.run_ms, t.prepare_ms);
    std::fflush(stdout);
}

}  // namespace convscope::gui
