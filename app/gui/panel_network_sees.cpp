// "What the network sees": the class activation map of a class over the picture (with the classifier top), the
// image patches that excite the selected node's channel most, and what the backbone's 38 x 38 grid is for (the
// Faster R-CNN anchors of a cell). A floating window (View > What the network sees, or V), so it sits beside the
// stepper and the feature maps it explains.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"
#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/npy.hpp"
#include "core/export/png.hpp"
#include "core/teach/anchors.hpp"

namespace convscope::gui {

namespace {

std::string class_name(const AppState& app, int c) {
    if (c >= 0 && std::size_t(c) < app.class_names.size()) return app.class_names[std::size_t(c)];
    return "class " + std::to_string(c);
}

std::string short_name(const std::string& name) { return name.substr(0, name.find(',')); }

// The inputs of the map shown now: the last block's output, fc1000's weights, the probabilities, the image.
CamInputs cam_inputs(const AppState& app) {
    CamInputs in;
    const int features = cam_features_node(app.ui_graph);
    const int fc = app.ui_graph.find("fc1000");
    auto output = [&](int n) -> std::shared_ptr<const Tensor3> {
        if (n < 0 || std::size_t(n) >= app.network_outputs.size() || app.network_stale[std::size_t(n)]) return nullptr;
        return app.network_outputs[std::size_t(n)];
    };
    in.features = output(features);
    in.probabilities = output(fc);
    in.classifier = app.sees.classifier;
    in.image = app.image;
    in.input_height = app.network.options.height;
    in.input_width = app.network.options.width;
    return in;
}

// The class the map is about: the chosen one, or the most probable.
int shown_class(const AppState& app, const CamInputs& in) {
    if (app.sees.cam_class >= 0) return app.sees.cam_class;
    if (!in.probabilities) return -1;
    const std::vector<int> top = top_classes(*in.probabilities, 1);
    return top.empty() ? -1 : top[0];
}

// Recomputes the map when what it is made from changed, and uploads its two pictures.
void refresh_cam(AppState& app) {
    NetworkSees& s = app.sees;
    const CamInputs in = cam_inputs(app);
    const int c = shown_class(app, in);
    const void* from[3] = {in.features.get(), in.classifier.get(), in.image.get()};
    if (!in.complete() || c < 0) return;  // keep the last complete map until the new one can be made
    if (s.cam && std::equal(from, from + 3, s.cam_made_from) && s.cam_made_for == c) return;
    std::copy(from, from + 3, s.cam_made_from);
    s.cam_made_for = c;
    try {
        s.cam = compute_cam(in, c);
        s.cam_error.clear();
        const RgbImage& pic = s.cam->picture;
        RgbaImage rgba(pic.width, pic.height);
        for (int y = 0; y < pic.height; ++y)
            for (int x = 0; x < pic.width; ++x) {
                const std::uint8_t* p = pic.pixels.data() + (std::size_t(y) * std::size_t(pic.width) + std::size_t(x)) * 3;
                std::copy(p, p + 3, rgba.at(x, y));
            }
        s.cam_picture.upload(rgba.width, rgba.height, rgba.pixels.data(), true);
        s.cam_heat.upload(s.cam->heat.width, s.cam->heat.height, s.cam->heat.pixels.data(), true);
    } catch (const std::exception& e) {
        s.cam.reset();
        s.cam_error = e.what();
    }
}

// The map as the CLI's `run --cam` writes it: cam_<class>.png (blended as on screen) and cam_<class>.npy (raw).
void export_cam(AppState& app) {
    const CamResult& r = *app.sees.cam;
    const std::string dir = app.export_dir.empty() ? std::string(".") : app.export_dir;
    const std::string base = dir + "/cam_" + std::to_string(r.class_index);
    const RgbaImage png = render_cam_overlay(r.map, r.picture, app.sees.cam_opacity);
    const Map2 map = r.map;
    app.worker.post_task([png, map, base, dir]() -> Worker::TaskResult {
        std::vector<std::string> created;
        try {
            created = ensure_directory(dir);
            AtomicFileSet files;
            files.add(base + ".png", encode_png(png));
            files.add(base + ".npy", encode_npy_array(map.data(), {map.shape()[0], map.shape()[1]}));
            files.commit();
            return {true, "Wrote " + base + ".png and " + base + ".npy (the raw map)", "cam"};
        } catch (const std::exception& e) {
            std::error_code ec;
            for (auto it = created.rbegin(); it != created.rend(); ++it) std::filesystem::remove(*it, ec);  // no empty folder left
            return {false, e.what(), "cam"};
        }
    });
    app.sees.cam_notice = "Exporting...";
    app.sees.cam_notice_ok = true;
}

// One selectable line per class: name, probability, and the class index in the tooltip.
void class_choice(AppState& app, int c, const CamInputs& in, int shown) {
    const float p = in.probabilities && std::size_t(c) < in.probabilities->size() ? in.probabilities->data()[c] : -1.0f;
    char line[200];
    if (p >= 0) std::snprintf(line, sizeof line, "%s  %.1f %%##class%d", short_name(class_name(app, c)).c_str(), double(p) * 100.0, c);
    else std::snprintf(line, sizeof line, "%s##class%d", short_name(class_name(app, c)).c_str(), c);
    // Narrower than the column by the spacing a Selectable spreads into on each side: it stays inside the window.
    const float width = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x;
    if (ImGui::Selectable(line, c == shown, 0, ImVec2(std::max(width, 1.0f), 0))) {
        app.sees.cam_class = c;
        app.sees.class_query.clear();
    }
    layout_report::item("label", std::string(line).substr(0, std::string(line).find("##")));
    tooltip("class %d: %s%s", c, class_name(app, c).c_str(), p >= 0 ? "" : "");
}

void draw_random_weights_caveat() {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1), "Random weights: the map shows where random filters respond, not "
                                                     "evidence for a class. Use ImageNet weights (File > Get ImageNet "
                                                     "weights) to see what the trained network looks at.");
    ImGui::PopTextWrapPos();
}

// Which class: the five most probable, or one typed by name or index; and the opacity.
void draw_class_controls(AppState& app, const CamInputs& in, int shown) {
    NetworkSees& s = app.sees;
    ImGui::TextColored(accent_colour(), "class");
    tooltip("Pick one of the five most probable classes, or type a class name or index below.");
    if (in.probabilities)
        for (int c : top_classes(*in.probabilities, 5)) class_choice(app, c, in, shown);
    const float field_w = std::min(ImGui::GetContentRegionAvail().x - text_width("other class") - ImGui::GetFontSize(),
                                   ImGui::GetFontSize() * 16);
    ImGui::SetNextItemWidth(std::max(field_w, ImGui::GetFontSize() * 4));
    if (input_text("##class_query", s.class_query, ImGuiInputTextFlags_EnterReturnsTrue)) {
        const std::vector<int> first = find_classes(app.class_names, s.class_query, 1);
        if (!first.empty()) s.cam_class = first[0], s.class_query.clear();
    }
    layout_report::item("widget", "other class: a name or index");
    tooltip("Type a class name (\"tabby\", \"goldfish\") or an index 0 to 999; Enter shows the first match, or "
            "pick one below.");
    ImGui::SameLine();
    ImGui::TextColored(dim_colour(), "other class");
    if (!s.class_query.empty()) {
        const std::vector<int> matches = find_classes(app.class_names, s.class_query, 6);
        if (matches.empty()) ImGui::TextColored(dim_colour(), "no class matches \"%s\"", s.class_query.c_str());
        for (int c : matches) class_choice(app, c, in, shown);
    }
    ImGui::SetNextItemWidth(std::max(field_w, ImGui::GetFontSize() * 4));
    ImGui::SliderFloat("opacity", &s.cam_opacity, 0.0f, 1.0f, "%.2f");
    tooltip("0 shows only the picture, 1 only the map's colours (magma: dark = low, bright = high).");
}

// The picture with the map over it, `side` pixels on its longer side; hovering a cell shows its sum.
void draw_cam_image(AppState& app, const CamResult& r, float side) {
    NetworkSees& s = app.sees;
    const float scale = side / float(std::max(r.picture.width, r.picture.height));
    const ImVec2 size(float(r.picture.width) * scale, float(r.picture.height) * scale);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Image(s.cam_picture.imgui_id(), size);
    ImGui::GetWindowDrawList()->AddImage(s.cam_heat.imgui_id(), at, ImVec2(at.x + size.x, at.y + size.y), ImVec2(0, 0),
                                         ImVec2(1, 1), ImGui::GetColorU32(ImVec4(1, 1, 1, s.cam_opacity)));
    layout_report::item("image", "class activation map");
    if (!ImGui::IsItemHovered()) return;
    const int h = int(r.map.shape()[0]), w = int(r.map.shape()[1]);
    const ImVec2 m = ImGui::GetMousePos();
    const CamCell cell = cam_cell_at(r, (m.x - at.x) / scale, (m.y - at.y) / scale);
    const float cw = size.x / float(w), ch = size.y / float(h);
    const ImVec2 a(at.x + float(cell.col) * cw, at.y + float(cell.row) * ch);
    ImGui::GetWindowDrawList()->AddRect(a, ImVec2(a.x + cw, a.y + ch), IM_COL32(80, 200, 255, 255), 0, 0, 2.0f);
    ImGui::BeginTooltip();
    char formula[160];
    std::snprintf(formula, sizeof formula, "CAM(%d, %d) = sum over k of w[k, %d] * A_k(%d, %d) = %.4f", cell.row, cell.col,
                  r.class_index, cell.row, cell.col, double(r.map(cell.row, cell.col)));
    ImGui::TextUnformatted(formula);
    layout_report::item("label", formula);
    ImGui::TextColored(dim_colour(), "k: the %d channels of the last block's output (%d x %d); w: fc1000's kernel",
                       r.feature_channels, h, w);
    ImGui::EndTooltip();
}

// Above the numbers, so that it stays in one place whichever class is shown.
void draw_cam_export_button(AppState& app, const CamResult& r) {
    const int h = int(r.map.shape()[0]), w = int(r.map.shape()[1]);
    if (ImGui::Button("Export PNG + .npy")) export_cam(app);
    layout_report::item("button", "Export PNG + .npy");
    tooltip("cam_%d.png (the map over the picture, at this opacity) and cam_%d.npy (the raw %d x %d map) into the "
            "Export window's folder (%s).", r.class_index, r.class_index, h, w, app.export_dir.c_str());
}

// The chain from the map to the probability, each number recomputed from the tensors (cam_view.cpp), and the
// last export's result.
void draw_cam_numbers(AppState& app, const CamResult& r, bool stale) {
    NetworkSees& s = app.sees;
    const int h = int(r.map.shape()[0]), w = int(r.map.shape()[1]);
    ImGui::PushTextWrapPos(0.0f);
    if (stale) ImGui::TextColored(dim_colour(), "(updating...)");
    char summary[256];
    std::snprintf(summary, sizeof summary, "%s (class %d): map %d x %d over %d channels, min %.3f, max %.3f",
                  short_name(class_name(app, r.class_index)).c_str(), r.class_index, h, w, r.feature_channels,
                  double(r.min), double(r.max));
    ImGui::TextUnformatted(summary);
    layout_report::item("label", summary);
    tooltip("CAM_c(i, j) = sum over k of w[k, c] * A_k(i, j): the raw map, no bias, no ReLU, no normalisation. The "
            "colours stretch min..max.");
    ImGui::Text("mean %.4f + bias %.4f = logit %.4f; softmax over the 1000 logits = %.4f", double(r.mean), double(r.bias),
                double(r.logit), double(r.softmax));
    tooltip("Global average pooling then the Dense layer is the same as averaging this map and adding fc1000's bias: "
            "the class's logit. The softmax of all 1000 logits is its probability.");
    if (r.network_probability >= 0)
        ImGui::TextColored(dim_colour(), "(the network's fc1000 output: %.4f)", double(r.network_probability));
    ImGui::PopTextWrapPos();
    if (!s.cam_notice.empty()) {
        ImGui::PushTextWrapPos(0.0f);
        if (s.cam_notice_ok) ImGui::TextUnformatted(s.cam_notice.c_str());
        else error_text("Nothing was written: " + s.cam_notice);
        ImGui::PopTextWrapPos();
    }
}

void draw_cam(AppState& app) {
    NetworkSees& s = app.sees;
    if (!app.network.options.include_top) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted("The class activation map needs the classifier: ResNet50 up to stage 5 with its top "
                               "(global average pooling and the Dense layer fc1000).");
        ImGui::PopTextWrapPos();
        if (ImGui::Button("Add the classifier top")) {
            app.network.options.last_stage = 5;
            app.network.options.include_top = true;
            app.panel = Panel::network;
        }
        tooltip("Network options: stage 5 and include_top=True. Trained weights make the map meaningful: File > Get "
                "ImageNet weights.");
        return;
    }
    refresh_cam(app);
    const CamInputs in = cam_inputs(app);
    const int shown = shown_class(app, in);
    const bool trained = !app.loaded_weights_path.empty() && !app.network.weights_path.empty();
    if (!s.cam) {
        if (!trained) draw_random_weights_caveat();
        draw_class_controls(app, in, shown);
        if (!s.cam_error.empty()) error_text(s.cam_error);
        else ImGui::TextColored(dim_colour(), "waiting for the network's run with its top...");
        return;
    }
    const CamResult& r = *s.cam;
    const bool stale = r.class_index != shown || !in.complete() || in.features.get() != s.cam_made_from[0];
    const float F = ImGui::GetFontSize();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    if (avail.x > avail.y * 1.25f) {
        // A wide, short window (a projector at a large UI scale): the picture on the left at the window's height,
        // the classes and numbers beside it.
        const float side = std::max(F * 6, std::min(avail.y - ImGui::GetStyle().ItemSpacing.y, avail.x * 0.5f));
        if (ImGui::BeginTable("cam_layout", 2, ImGuiTableFlags_None)) {
            ImGui::TableSetupColumn("map", ImGuiTableColumnFlags_WidthFixed, side);
            ImGui::TableSetupColumn("controls", ImGuiTableColumnFlags_WidthStretch);
            ImGui::TableNextColumn();
            draw_cam_image(app, r, side);
            ImGui::TableNextColumn();
            draw_class_controls(app, in, shown);
            draw_cam_export_button(app, r);
            draw_cam_numbers(app, r, stale);
            if (!trained) draw_random_weights_caveat();
            ImGui::EndTable();
        }
        return;
    }
    if (!trained) draw_random_weights_caveat();
    draw_class_controls(app, in, shown);
    draw_cam_export_button(app, r);
    const float text_below = ImGui::GetTextLineHeightWithSpacing() * 5 + ImGui::GetFrameHeightWithSpacing();
    const ImVec2 rest = ImGui::GetContentRegionAvail();
    draw_cam_image(app, r, std::max(F * 6, std::min(rest.x, rest.y - text_below)));
    draw_cam_numbers(app, r, stale);
}

// --- top patches

// Whether the selected network node has positions (a feature map), which the top patches need.
bool selected_feature_map(const AppState& app) {
    const int n = app.selected_node;
    return n >= 0 && app.ui_shapes[std::size_t(n)].ok() && !app.ui_shapes[std::size_t(n)].shape->flat;
}

PatchRequest patch_request(const AppState& app) {
    PatchRequest r;
    r.options = app.network.options;
    r.seed = app.network.seed;
    r.weights_path = app.loaded_weights_path.empty() ? std::string() : app.network.weights_path;
    r.node = app.selected_node >= 0 ? app.ui_graph.node(app.selected_node).name : std::string();
    r.channel = app.view.selected_channel;
    r.count = app.sees.patch_count;
    r.folder = app.sees.patch_folder;
    return r;
}

void draw_patches(AppState& app) {
    NetworkSees& s = app.sees;
    if (!selected_feature_map(app)) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted("Select a node with a feature map in the network panel (a Conv2D, an activation, a "
                               "block's output); its channel's favourite image patches appear here.");
        ImGui::PopTextWrapPos();
        return;
    }
    const Shape shape = *app.ui_shapes[std::size_t(app.selected_node)].shape;
    // One channel for the inspector and this tab: choosing it in either shows it in both.
    app.view.selected_channel = std::clamp(app.view.selected_channel, 0, shape.c - 1);
    if (!s.patches) {
        EngineOptions engine;
        if (app.engine_threads > 0) engine.threads = app.engine_threads;
        s.patches = std::make_unique<PatchService>(app.assets_dir, engine, [] { glfwPostEmptyEvent(); });
    }
    const PatchRequest wanted = patch_request(app);
    s.patches->request(wanted);

    const float F = ImGui::GetFontSize();
    ImGui::TextColored(accent_colour(), "%s", wanted.node.c_str());
    tooltip("The node selected in the network panel.");
    same_line_if_fits(labelled_width(F * 4, "channel"));
    ImGui::SetNextItemWidth(F * 4);
    int_field("channel", app.view.selected_channel, 0.2f, 0, shape.c - 1);
    tooltip("The channel (0 to %d), the same as the inspector's enlarged one: pick it here or there.", shape.c - 1);
    same_line_if_fits(labelled_width(F * 3, "patches"));
    ImGui::SetNextItemWidth(F * 3);
    int_field("patches", s.patch_count, 0.1f, 1, 32);
    tooltip("How many images' strongest patches to show (one per image), best first.");
    ImGui::TextUnformatted("images");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 8, ImGui::GetContentRegionAvail().x - button_width("Use") -
                                                                   button_width("Samples") - ImGui::GetFontSize()));
    if (input_text("##folder", s.patch_folder_field, ImGuiInputTextFlags_EnterReturnsTrue)) s.patch_folder = s.patch_folder_field;
    tooltip("A folder of .png / .jpg / .bmp / .gif files (Enter or Use). Empty: the %zu bundled samples.",
            sample_names().size());
    ImGui::SameLine();
    if (ImGui::Button("Use")) s.patch_folder = s.patch_folder_field;
    ImGui::SameLine();
    if (ImGui::Button("Samples")) s.patch_folder.clear(), s.patch_folder_field.clear();
    tooltip("The bundled sample images.");

    const PatchSnapshot& p = s.patch_snapshot;
    if (p.running) {
        char label[64];
        std::snprintf(label, sizeof label, "%d / %d images", p.done, p.total);
        ImGui::ProgressBar(p.total > 0 ? float(p.done) / float(p.total) : 0.0f,
                           ImVec2(ImGui::GetContentRegionAvail().x - button_width("Cancel") - ImGui::GetFontSize(), 0), label);
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) s.patches->cancel();
        tooltip("Stop; images already run stay cached.");
    }
    if (!p.running && p.cancelled) {
        ImGui::TextColored(dim_colour(), "Cancelled.");
        ImGui::SameLine();
        if (ImGui::Button("Search again")) s.patches->restart();
        tooltip("Run the search for %s channel %d again (images already run come from the cache).", wanted.node.c_str(),
                wanted.channel);
    }
    if (wanted.weights_path.empty()) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.1f, 1),
                           "Random weights: a random filter's favourite patches show no learned pattern (edges at most, "
                           "in the first layers). Trained weights show what the channel learned to detect.");
        ImGui::PopTextWrapPos();
    }
    if (!app.network.edits.empty())
        ImGui::TextColored(dim_colour(), "(the network without your Conv2D edits)");
    if (!p.answered) return;
    const bool current = *p.answered == wanted;
    if (!p.error.empty()) {
        error_text(p.error);
        return;
    }
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(dim_colour(), "%s channel %d over %d images: %s. %s%d network runs so far (cached: a second look "
                       "costs none).", p.answered->node.c_str(), p.answered->channel, p.images, p.receptive_field.c_str(),
                       current ? "" : "(updating) ", p.network_runs);
    for (const std::string& skipped : p.skipped) ImGui::TextColored(dim_colour(), "skipped %s", skipped.c_str());
    ImGui::PopTextWrapPos();

    // The patches, best first, in a grid of equal cells.
    // The largest cells (up to 9 lines of text) with which every patch fits in the window without scrolling;
    // when none do (a projector at a large UI scale), cells of 3 lines and the window scrolls.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float gap = ImGui::GetStyle().ItemSpacing.x, label_h = ImGui::GetTextLineHeightWithSpacing();
    const int n = std::max(1, int(p.patches.size()));
    float cell = F * 3;
    int columns = std::max(1, int((avail.x + gap) / (cell + gap)));
    for (int c = 1; c <= n; ++c) {
        const int rows = (n + c - 1) / c;
        const float by_width = (avail.x - gap * float(c - 1)) / float(c);
        const float by_height = avail.y / float(rows) - label_h - ImGui::GetStyle().ItemSpacing.y;
        const float size = std::min({by_width, by_height, F * 9});
        if (size > cell) {
            cell = size;
            columns = c;
        }
    }
    for (std::size_t i = 0; i < p.patches.size() && i < s.patch_textures.size(); ++i) {
        const ChannelPatch& patch = p.patches[i];
        if (i % std::size_t(columns) != 0) ImGui::SameLine();
        ImGui::BeginGroup();
        const float pw = float(patch.patch.width), ph = float(patch.patch.height);
        const float k = cell / std::max(pw, ph);
        ImGui::Image(s.patch_textures[i]->imgui_id(), ImVec2(pw * k, ph * k));
        const std::string image = std::filesystem::path(patch.image).filename().string();
        tooltip("#%zu: %s, activation %.4f at (%d, %d) of %s\ninput rows %d..%d, cols %d..%d (beyond the image: padding, "
                "drawn in the ImageNet mean colour)", i + 1, image.c_str(), double(patch.activation), patch.row, patch.col,
                p.answered->node.c_str(), patch.region.row0, patch.region.row1, patch.region.col0, patch.region.col1);
        char label[96];
        std::snprintf(label, sizeof label, "#%zu %.2f", i + 1, double(patch.activation));
        ImGui::TextUnformatted(label);
        layout_report::item("label", label);
        ImGui::EndGroup();
    }
}

// --- Faster R-CNN grid

// The seed builds this backbone as the shared feature layer of Faster R-CNN: its stage-4 output (38 x 38 x 1024
// at 600 x 600, stride 16) is what the region proposal network reads. The tab draws that grid over the input,
// and for one cell (clicked; the middle one at first) its receptive field and the 9 anchor boxes.
void draw_rpn_grid(AppState& app) {
    NetworkSees& s = app.sees;
    const int feature = app.ui_graph.find("res4f_relu");
    if (feature < 0 || !app.ui_shapes[std::size_t(feature)].ok() || !app.ui_fields[std::size_t(feature)].ok || !app.image) {
        ImGui::TextColored(dim_colour(), "The grid needs the backbone's stage-4 output (res4f_relu) and an image.");
        return;
    }
    const Shape grid = *app.ui_shapes[std::size_t(feature)].shape;
    const NodeField& field = app.ui_fields[std::size_t(feature)];
    const int H = app.network.options.height, W = app.network.options.width;
    const AnchorSettings settings;  // stride 16, scales 128 / 256 / 512, ratios 0.5 / 1 / 2
    if (s.grid_picture_of != app.image.get() || s.grid_picture_h != H || s.grid_picture_w != W) {
        const RgbImage pic = resize_image(*app.image, H, W);  // what the network sees, as the network job resizes it
        std::vector<std::uint8_t> rgba(std::size_t(H) * std::size_t(W) * 4, 255);
        for (std::size_t j = 0; j < std::size_t(H) * std::size_t(W); ++j)
            std::copy(pic.pixels.begin() + std::ptrdiff_t(j * 3), pic.pixels.begin() + std::ptrdiff_t(j * 3 + 3),
                      rgba.begin() + std::ptrdiff_t(j * 4));
        s.grid_picture.upload(W, H, rgba.data(), true);
        s.grid_picture_of = app.image.get();
        s.grid_picture_h = H;
        s.grid_picture_w = W;
    }
    const int row = s.grid_row >= 0 ? std::min(s.grid_row, grid.h - 1) : grid.h / 2;
    const int col = s.grid_col >= 0 ? std::min(s.grid_col, grid.w - 1) : grid.w / 2;

    const float F = ImGui::GetFontSize();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    // Side by side when the text beside the picture still has room for the anchors' table (about 22 characters
    // wide); otherwise the table goes under the picture and the window scrolls.
    const float beside = std::min(avail.y - ImGui::GetStyle().ItemSpacing.y, avail.x * 0.55f);
    const bool side_by_side = avail.x > avail.y * 1.25f && avail.x - beside >= F * 22;
    const float side = std::max(F * 8, side_by_side ? beside : std::min(avail.x, std::max(avail.y * 0.6f, F * 12)));
    const float k = side / float(std::max(H, W));
    const ImVec2 size(float(W) * k, float(H) * k);
    if (side_by_side) {
        ImGui::BeginTable("rpn_layout", 2);
        ImGui::TableSetupColumn("picture", ImGuiTableColumnFlags_WidthFixed, size.x);
        ImGui::TableSetupColumn("text", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableNextColumn();
    }
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::Image(s.grid_picture.imgui_id(), size);
    layout_report::item("image", "feature grid over the input");
    const bool hovered = ImGui::IsItemHovered();
    const ImVec2 m = ImGui::GetMousePos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(o, ImVec2(o.x + size.x, o.y + size.y), true);
    const float step = float(settings.stride) * k;
    for (int i = 1; i < grid.w; ++i)
        dl->AddLine(ImVec2(o.x + float(i) * step, o.y), ImVec2(o.x + float(i) * step, o.y + size.y), IM_COL32(255, 255, 255, 60));
    for (int i = 1; i < grid.h; ++i)
        dl->AddLine(ImVec2(o.x, o.y + float(i) * step), ImVec2(o.x + size.x, o.y + float(i) * step), IM_COL32(255, 255, 255, 60));
    // The receptive field (pixels, inclusive), the cell, and the anchors (continuous coordinates).
    const FieldRegion r = field.region(row, col);
    dl->AddRectFilled(ImVec2(o.x + float(r.col0) * k, o.y + float(r.row0) * k),
                      ImVec2(o.x + float(r.col1 + 1) * k, o.y + float(r.row1 + 1) * k), IM_COL32(80, 200, 255, 40));
    dl->AddRect(ImVec2(o.x + float(r.col0) * k, o.y + float(r.row0) * k),
                ImVec2(o.x + float(r.col1 + 1) * k, o.y + float(r.row1 + 1) * k), IM_COL32(80, 200, 255, 200), 0, 0, 1.5f);
    const ImU32 scale_colour[3] = {IM_COL32(255, 220, 60, 255), IM_COL32(255, 120, 40, 255), IM_COL32(240, 60, 200, 255)};
    const std::vector<AnchorBox> boxes = cell_anchors(row, col, settings);
    for (std::size_t b = 0; b < boxes.size(); ++b)
        dl->AddRect(ImVec2(o.x + float(boxes[b].x1) * k, o.y + float(boxes[b].y1) * k),
                    ImVec2(o.x + float(boxes[b].x2) * k, o.y + float(boxes[b].y2) * k), scale_colour[std::min<std::size_t>(b / 3, 2)],
                    0, 0, 1.5f);
    dl->AddRectFilled(ImVec2(o.x + float(col) * step, o.y + float(row) * step),
                      ImVec2(o.x + float(col + 1) * step, o.y + float(row + 1) * step), IM_COL32(255, 255, 255, 200));
    dl->PopClipRect();
    if (hovered) {
        const int hr = std::clamp(int((m.y - o.y) / step), 0, grid.h - 1), hc = std::clamp(int((m.x - o.x) / step), 0, grid.w - 1);
        ImGui::SetTooltip("feature cell (%d, %d): click to show its receptive field and anchors", hr, hc);
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) s.grid_row = hr, s.grid_col = hc;
    }
    if (side_by_side) ImGui::TableNextColumn();

    ImGui::PushTextWrapPos(0.0f);
    char head[160];
    std::snprintf(head, sizeof head, "cell (%d, %d) of res4f_relu's %d x %d grid, anchor centre (%g, %g)", row, col, grid.h,
                  grid.w, (col + 0.5) * settings.stride, (row + 0.5) * settings.stride);
    ImGui::TextColored(accent_colour(), "%s", head);
    layout_report::item("label", head);
    tooltip("Centre (x, y) = ((col + 0.5) x 16, (row + 0.5) x 16) in input pixels: the stride of stage 4 is 16 (the "
            "product of the strides before it). Click another cell on the picture.");
    // At a size that is not a multiple of 16 the grid's last cells reach past the picture (227 rows: 15 cells, the
    // last from row 224), so their anchors are centred outside it: say so rather than let it look like a bug.
    if ((col + 0.5) * settings.stride > W || (row + 0.5) * settings.stride > H)
        wrapped_text("This centre lies outside the " + std::to_string(H) + " x " + std::to_string(W) +
                         " picture: the grid has a cell for every started block of 16 pixels, so its last cells reach "
                         "past the edge.",
                     dim_colour());
    const bool whole = r.row0 <= 0 && r.col0 <= 0 && r.row1 >= H - 1 && r.col1 >= W - 1;
    ImGui::Text("receptive field rows %d..%d, cols %d..%d (%d x %d, %s)", r.row0, r.row1, r.col0, r.col1, field.rows.size(),
                field.cols.size(), whole ? "all of the picture: no blue edge inside it" : "blue");
    tooltip("Every input pixel this cell's 1024 values depend on; beyond the picture is zero padding.");
    ImGui::PopTextWrapPos();
    if (ImGui::BeginTable("anchors", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
        for (const char* h : {"scale", "h/w", "x1", "y1", "x2", "y2"}) ImGui::TableSetupColumn(h);
        ImGui::TableHeadersRow();
        for (std::size_t b = 0; b < boxes.size(); ++b) {
            const AnchorBox& a = boxes[b];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(scale_colour[std::min<std::size_t>(b / 3, 2)]), "%g", a.scale);
            ImGui::TableNextColumn();
            ImGui::Text("%g", a.ratio);
            char box[96];
            std::snprintf(box, sizeof box, "%.2f %.2f %.2f %.2f", a.x1, a.y1, a.x2, a.y2);
            const double v[4] = {a.x1, a.y1, a.x2, a.y2};
            for (double x : v) {  // two decimals, as convscope-cli anchors prints them (one rounded 74.75 down)
                ImGui::TableNextColumn();
                ImGui::Text("%.2f", x);
            }
            layout_report::item("anchor", box);
            tooltip("width = %g / sqrt(%g) = %.2f, height = %g x sqrt(%g) = %.2f (width x height = %g^2)", a.scale, a.ratio,
                    a.width, a.scale, a.ratio, a.height, a.scale);
        }
        ImGui::EndTable();
    }
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(dim_colour(),
                       "What this layer is for: the seed builds this backbone as the shared feature layer of Faster "
                       "R-CNN. Its region proposal network slides a 3 x 3 conv over this grid and, for each of the 9 "
                       "anchors of every cell, predicts how likely an object is there and how to shift and stretch the "
                       "box to fit it; the best proposals are cropped from the same feature map (RoI pooling) and "
                       "classified. No RPN runs here: the boxes are its starting points, exact to its geometry.");
    ImGui::PopTextWrapPos();
    if (side_by_side) ImGui::EndTable();
}

// The tab a menu command or --sees asked for is selected once; otherwise the user's click decides.
ImGuiTabItemFlags tab_flags(const AppState& app, NetworkSees::Tab t) {
    return app.sees.select_tab && app.sees.tab == t ? ImGuiTabItemFlags_SetSelected : 0;
}

}  // namespace

bool poll_network_sees(AppState& app) {
    NetworkSees& s = app.sees;
    if (!s.patches) return false;
    PatchSnapshot snap = s.patches->snapshot();
    const bool changed = snap.version != s.patch_snapshot.version || snap.running != s.patch_snapshot.running ||
                         snap.done != s.patch_snapshot.done;
    s.patch_snapshot = std::move(snap);
    if (s.patch_snapshot.version != s.patch_textures_version) {
        s.patch_textures_version = s.patch_snapshot.version;
        s.patch_textures.clear();
        for (std::size_t i = 0; i < s.patch_snapshot.patches.size(); ++i) {
            const RgbImage& im = s.patch_snapshot.patches[i].patch;
            std::vector<std::uint8_t> rgba(std::size_t(im.width) * std::size_t(im.height) * 4, 255);
            for (std::size_t j = 0; j < std::size_t(im.width) * std::size_t(im.height); ++j)
                std::copy(im.pixels.begin() + std::ptrdiff_t(j * 3), im.pixels.begin() + std::ptrdiff_t(j * 3 + 3),
                          rgba.begin() + std::ptrdiff_t(j * 4));
            s.patch_textures.push_back(std::make_unique<GlTexture>());
            s.patch_textures.back()->upload(im.width, im.height, rgba.data());
        }
    }
    return changed;
}

bool network_sees_complete(const AppState& app) {
    if (!app.settings.show_sees) return true;
    if (app.sees.tab == NetworkSees::Tab::cam) return !app.network.options.include_top || app.sees.cam.has_value();
    if (app.sees.tab == NetworkSees::Tab::rpn) return true;
    if (!selected_feature_map(app)) return true;  // the tab says to pick a node with a feature map: nothing to wait for
    const PatchSnapshot& p = app.sees.patch_snapshot;
    return app.sees.patches && !p.running && (p.answered.has_value() || p.cancelled);
}

void draw_network_sees(AppState& app) {
    if (!app.settings.show_sees) return;
    if (!begin_tool_window("What the network sees", &app.settings.show_sees, 34, 40, 1.0f)) {
        ImGui::End();
        return;
    }
    if (ImGui::BeginTabBar("sees")) {
        struct Page {
            const char* label;
            NetworkSees::Tab tab;
            void (*draw)(AppState&);
        };
        static constexpr Page pages[] = {{"Class activation map", NetworkSees::Tab::cam, draw_cam},
                                         {"Top patches", NetworkSees::Tab::patches, draw_patches},
                                         {"Faster R-CNN grid", NetworkSees::Tab::rpn, draw_rpn_grid}};
        // Every tab's flags first: drawing the open page sets app.sees.tab, which the flags read.
        ImGuiTabItemFlags flags[3];
        for (int i = 0; i < 3; ++i) flags[i] = tab_flags(app, pages[i].tab);
        for (int i = 0; i < 3; ++i) {
            const bool open = ImGui::BeginTabItem(pages[i].label, nullptr, flags[i]);
            layout_report::item("tab", pages[i].label);
            if (!open) continue;
            app.sees.tab = pages[i].tab;
            pages[i].draw(app);
            ImGui::EndTabItem();
        }
        app.sees.select_tab = false;
        ImGui::EndTabBar();
    }
    ImGui::End();
}

}  // namespace convscope::gui
