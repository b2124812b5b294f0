// Export: what is on screen as PNG or raw .npy, into a folder the user chooses, all or nothing.
// The files are encoded and written on the render thread; the confirmation lists what was written.
#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "app/gui/panels.hpp"
#include "app/gui/ui_rules.hpp"
#include "app/gui/ui_util.hpp"
#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/npy.hpp"
#include "core/export/png.hpp"

namespace convscope::gui {

namespace {

struct ExportItem {
    std::string name;                        // node name, used in file names
    std::shared_ptr<const Tensor3> tensor;   // (H, W, C)
    bool flat = false;
    GridOptions grid;                        // how its PNG grid is drawn
};

std::string three_digits(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%03d", i);
    return buf;
}

// The grid as on screen when the shown maps are of this tensor (same cells, same pixels), else at a fixed size.
GridOptions grid_options(const AppState& app, const Tensor3* t) {
    const RenderResult& shown = app.shown.render();
    if (shown.tensor && shown.tensor.get() == t) return export_grid_options(shown.grid_options);
    GridOptions g;
    g.normalization = app.view.normalization;
    g.colormap = app.view.colormap;
    g.max_cell = 200;
    g.min_cell = 48;
    return export_grid_options(g);
}

Worker::TaskResult finish(AtomicFileSet& files, const std::string& what) {
    const std::vector<std::string> written = files.commit();
    std::string msg = "Wrote " + std::to_string(written.size()) + " file" + (written.size() == 1 ? "" : "s") + " (" + what + "):";
    const std::size_t shown = std::min<std::size_t>(written.size(), 12);
    for (std::size_t i = 0; i < shown; ++i) msg += "\n  " + written[i];
    if (written.size() > shown) msg += "\n  ... and " + std::to_string(written.size() - shown) + " more";
    return {true, msg, ""};
}

// The stem of the exported files' names: the shown node's name, or a fixed one for the playground's output.
std::string export_name(const AppState& app) {
    if (app.panel == Panel::playground) return "playground_conv2d";
    std::string title;
    current_tensor(app, &title);
    return title;
}

// The folder the files go into; an empty field means the folder convscope was started in.
std::string export_folder(const AppState& app) { return app.export_dir.empty() ? std::string(".") : app.export_dir; }

// A flat vector (after pooling or Dense) is saved as (C,) in .npy, not as the (1, 1, C) it is stored in.
bool is_flat(const AppState& app, int node) {
    const NodeShape& s = app.ui_shapes[std::size_t(node)];
    return s.ok() && s.shape->flat;
}

// What the export window says, about the node and folder shown now.
void notice(AppState& app, bool ok, const std::string& text) {
    app.export_notice = {ok, text, export_name(app), export_folder(app)};
}

// Every node of the selected node's block (or of the stem, or of the top), with their outputs.
std::vector<ExportItem> group_items(const AppState& app, const ExportGroup& group, std::string& missing) {
    std::vector<ExportItem> items;
    for (int i : group.nodes) {
        auto t = std::size_t(i) < app.network_outputs.size() ? app.network_outputs[std::size_t(i)] : nullptr;
        if (!t) missing += (missing.empty() ? "" : ", ") + app.ui_graph.node(i).name;
        items.push_back({app.ui_graph.node(i).name, t, is_flat(app, i), grid_options(app, t.get())});
    }
    return items;
}

}  // namespace

bool start_export(AppState& app, ExportKind kind) {
    std::shared_ptr<const Tensor3> t = current_tensor(app);
    const std::string name = export_name(app);
    const bool flat = app.panel == Panel::network && app.selected_node >= 0 && is_flat(app, app.selected_node);
    const ViewOptions view = app.view;
    const std::string dir = export_folder(app);
    if (kind == ExportKind::block) {
        if (app.panel != Panel::network) return false;
        std::string missing;
        const ExportGroup group = export_group(app.ui_graph, app.selected_node);
        std::vector<ExportItem> items = group_items(app, group, missing);
        if (!missing.empty()) {
            notice(app, false, "Nothing was written: not computed yet: " + missing);
            return false;
        }
        const std::string block = group.folder;
        app.worker.post_task([items, dir, block] {
            const std::string sub = dir + "/" + block;
            ensure_directory(sub);
            AtomicFileSet files;
            for (const ExportItem& it : items) {
                files.add(sub + "/" + it.name + ".png", encode_png(render_grid(*it.tensor, it.grid)));
                files.add(sub + "/" + it.name + ".npy", encode_npy(*it.tensor, it.flat));
            }
            return finish(files, "block " + block);
        });
    } else {
        if (!t) {
            notice(app, false, "Nothing was written: nothing has been computed yet.");
            return false;
        }
        const int ch = std::clamp(view.selected_channel, 0, int(t->shape()[2]) - 1);
        switch (kind) {
        case ExportKind::channel:
            app.worker.post_task([t, ch, view, dir, name] {
                ensure_directory(dir);
                AtomicFileSet files;
                const ValueRange range = value_range(*t, ch, view.normalization);
                files.add(dir + "/" + name + "_ch" + three_digits(ch) + ".png",
                          encode_png(render_channel(*t, ch, range, view.colormap, 1)));
                return finish(files, "channel " + std::to_string(ch));
            });
            break;
        case ExportKind::grid:
            app.worker.post_task([t, grid = grid_options(app, t.get()), dir, name] {
                ensure_directory(dir);
                AtomicFileSet files;
                files.add(dir + "/" + name + "_grid.png", encode_png(render_grid(*t, grid)));
                return finish(files, "every channel in one grid");
            });
            break;
        case ExportKind::channels:
            app.worker.post_task([t, view, dir, name] {
                const std::string sub = dir + "/" + name + "_channels";
                ensure_directory(sub);
                AtomicFileSet files;
                for (int c = 0; c < int(t->shape()[2]); ++c)
                    files.add(sub + "/" + name + "_ch" + three_digits(c) + ".png",
                              encode_png(render_channel(*t, c, value_range(*t, c, view.normalization), view.colormap, 1)));
                return finish(files, "one PNG per channel");
            });
            break;
        case ExportKind::npy:
            app.worker.post_task([t, dir, name, flat] {
                ensure_directory(dir);
                AtomicFileSet files;
                files.add(dir + "/" + name + ".npy", encode_npy(*t, flat));
                return finish(files, "float32, (H, W, C) as numpy.load reads it");
            });
            break;
        case ExportKind::block: break;
        }
    }
    notice(app, true, "Exporting...");
    return true;
}

ExportKind parse_export_kind(const std::string& s) {
    if (s == "channel") return ExportKind::channel;
    if (s == "grid") return ExportKind::grid;
    if (s == "channels") return ExportKind::channels;
    if (s == "npy") return ExportKind::npy;
    if (s == "block") return ExportKind::block;
    throw ConfigError("export \"" + s + "\" is not one of channel, grid, channels, npy, block");
}

void draw_export(AppState& app) {
    if (!app.settings.show_export) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - ImGui::GetFontSize() * 31, vp->WorkPos.y + ImGui::GetFontSize() * 4),
                            ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 30, ImGui::GetFontSize() * 22), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the panels' text behind would show through its own
    if (!ImGui::Begin("Export", &app.settings.show_export)) {
        ImGui::End();
        return;
    }
    std::shared_ptr<const Tensor3> t = current_tensor(app);
    const std::string name = export_name(app);
    ImGui::TextUnformatted("folder");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    input_text("##dir", app.export_dir);
    tooltip("Where files go (created if missing). Relative paths are relative to the folder convscope was started in.");
    ImGui::TextColored(dim_colour(), "node: %s", t ? name.c_str() : "(nothing computed yet)");
    ImGui::TextColored(dim_colour(), "normalisation %s, colours %s (as on screen)", to_string(app.view.normalization),
                       to_string(app.view.colormap));
    const std::string dir = export_folder(app);
    const float bw = ImGui::GetContentRegionAvail().x;
    if (!t) ImGui::BeginDisabled();
    if (ImGui::Button("Enlarged channel as PNG", ImVec2(bw, 0))) start_export(app, ExportKind::channel);
    tooltip("The selected channel, one pixel per value, as on screen: %s_chNNN.png", name.c_str());
    if (ImGui::Button("Grid as PNG (numbers + colour bar)", ImVec2(bw, 0))) start_export(app, ExportKind::grid);
    tooltip("Every channel of the node in one image with channel numbers and the colour bar: %s_grid.png", name.c_str());
    if (ImGui::Button("Every channel as separate PNGs", ImVec2(bw, 0))) start_export(app, ExportKind::channels);
    tooltip("One PNG per channel in %s/%s_channels/ (all or nothing).", dir.c_str(), name.c_str());
    if (ImGui::Button("Raw values as .npy", ImVec2(bw, 0))) start_export(app, ExportKind::npy);
    tooltip("The exact float32 activations, shape (H, W, C) (or (C,) for a vector): %s.npy", name.c_str());
    if (!t) ImGui::EndDisabled();
    if (app.panel == Panel::network) {
        const ExportGroup group = export_group(app.ui_graph, app.selected_node);
        const std::string label = "Every node of " + (app.ui_graph.block_of(app.selected_node) >= 0 ? "block " + group.folder
                                                                                                   : "the " + group.folder) +
                                  " (PNG grids + .npy)";
        if (ImGui::Button(label.c_str(), ImVec2(bw, 0))) start_export(app, ExportKind::block);
        tooltip("A grid PNG and a .npy for each of the %zu nodes of the selected node's block (or of the stem, or of "
                "the classifier top), in %s/%s/ (all or nothing).", group.nodes.size(), dir.c_str(), group.folder.c_str());
    }
    ImGui::Separator();
    if (app.export_notice.applies_to(name, dir)) {  // a message about another node or folder is stale
        if (app.export_notice.ok) ImGui::TextWrapped("%s", app.export_notice.text.c_str());
        else error_text(app.export_notice.text);
    }
    ImGui::End();
}

}  // namespace convscope::gui
