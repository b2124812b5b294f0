// ImageNet weights in one step: what is already on this computer (used on start when the user named no
// weights), and "Get ImageNet weights": a question that says what will be downloaded where, then a progress
// bar with bytes and rate, Cancel, and a resume of an interrupted download. The work is the WeightsService's
// (weights_service.hpp), on its own thread; this file only draws it and applies what it finished.
#include <algorithm>
#include <cstring>
#include <string>

#include <imgui.h>

#include "app/gui/layout_report.hpp"
#include "app/gui/panels.hpp"
#include "app/gui/ui_util.hpp"
#include "core/errors.hpp"

namespace convscope::gui {

namespace {

// plan_fetch() speaks the CLI's options; the dialog's fields have names of their own.
std::string dialog_wording(std::string s) {
    const std::pair<const char*, const char*> words[] = {
        {"--from ", "the mirror URL "}, {"--from", "a mirror URL"}, {"--md5 HEX", "its md5"}, {"--md5 ", "the md5 "},
        {"--md5", "an md5"}, {"--top", "'with the classifier'"}};
    for (const auto& [from, to] : words)
        for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + std::strlen(to)))
            s.replace(at, std::strlen(from), to);
    return s;
}

FetchOptions dialog_options(const ImageNetWeights::Dialog& d) {
    FetchOptions o;
    o.top = d.top;
    o.from = d.mirror;
    o.md5 = d.md5;
    return o;
}

// Weights the scan found, put in use without the user's "Load" (they asked for none on start).
void use_found_file(AppState& app, const FoundWeights& f) {
    if (app.network.weights_path == f.check.path) return;
    app.network.weights_path = f.check.path;
    app.weights_path_field = f.check.path;
    app.imagenet.using_found = true;
    app.request_dirty = true;
    set_notice(app, "Using the ImageNet weights found in the " + f.folder_kind + ": " + f.check.path);
}

}  // namespace

void open_download_dialog(AppState& app) {
    ImageNetWeights::Dialog& d = app.imagenet.dialog;
    d.open_requested = true;
    d.top = app.network.options.include_top;
    d.error.clear();
}

bool poll_weights_service(AppState& app) {
    ImageNetWeights& w = app.imagenet;
    if (!w.service) return false;
    const WeightsSnapshot before = w.snapshot;
    w.snapshot = w.service->snapshot();
    bool changed = w.snapshot.scans != before.scans || w.snapshot.busy() != before.busy() ||
                   w.snapshot.progress.bytes != before.progress.bytes;

    if (std::optional<DownloadResult> r = w.service->take_download_result()) {
        changed = true;
        w.last_result = r->message;
        w.last_result_ok = r->ok();
        if (r->ok()) {
            set_notice(app, r->message);
            // The user asked for this file: it replaces whatever weights were in use.
            app.weights_path_field = r->path;
            load_weights(app, r->path);
        } else if (r->status != DownloadStatus::cancelled) {
            show_error(app, r->message);
        }
    }

    // The startup choice (only the first finished scan makes it, and only while the user has named no
    // weights), and again when the top is switched while a found file is in use: the file with the
    // classifier serves both networks; without one, the backbone file stays and fc1000 is seeded.
    if (w.snapshot.scans > 0) {
        if ((w.use_found && app.network.weights_path.empty()) || w.using_found)
            if (const FoundWeights* f = startup_weights(w.snapshot.found, app.network.options.include_top))
                use_found_file(app, *f);
        w.use_found = false;
    }
    return changed;
}

void draw_imagenet_weights(AppState& app) {
    ImageNetWeights& w = app.imagenet;
    if (!w.service) return;
    const WeightsSnapshot& s = w.snapshot;
    ImGui::TextUnformatted("ImageNet:");
    ImGui::SameLine();
    const std::string found = s.scans == 0 ? std::string("looking in the cache folders...") : describe_found(s.found);
    wrapped_text(found, dim_colour());  // the cache folders' paths stay whole
    layout_report::item("label", found);
    if (ImGui::IsItemHovered()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
        ImGui::TextUnformatted("The ResNet50 ImageNet weights files Keras and convscope cache, each checked against its "
                               "published md5. Only verified files are used.");
        for (const FoundWeights& f : s.found) {
            ImGui::Bullet();
            ImGui::TextWrapped("%s (%s): %s", f.check.path.c_str(), f.folder_kind.c_str(),
                               f.partial ? "an interrupted download; Get ImageNet weights resumes it"
                                         : describe_check(f.check).c_str());
        }
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }

    const FoundWeights* pick = startup_weights(s.found, app.network.options.include_top);
    if (pick != nullptr && app.network.weights_path != pick->check.path) {
        if (ImGui::Button("Use ImageNet weights")) {
            app.weights_path_field = pick->check.path;
            load_weights(app, pick->check.path);
        }
        tooltip("Load %s (%s).", pick->check.path.c_str(), pick->check.known->description);
        ImGui::SameLine();
    }
    if (s.downloading) {
        const DownloadProgress& p = s.progress;
        const float fraction = p.total > 0 ? float(double(p.bytes) / double(p.total)) : 0.0f;
        const std::string text = describe_progress(p);
        const float cancel_w = button_width("Cancel") + ImGui::GetStyle().ItemSpacing.x;
        ImGui::ProgressBar(p.total > 0 ? fraction : -1.0f * float(ImGui::GetTime()),
                           ImVec2(std::max(ImGui::GetFontSize() * 6, ImGui::GetContentRegionAvail().x - cancel_w), 0),
                           text.c_str());
        layout_report::item("label", text);
        tooltip("Downloading %s\ninto %s", s.download_url.c_str(), s.download_target.c_str());
        ImGui::SameLine();
        if (ImGui::Button("Cancel")) w.service->cancel();
        tooltip("Stop the download. What arrived is kept as a .part file, and the next download resumes from it.");
    } else {
        if (ImGui::Button("Get ImageNet weights...")) open_download_dialog(app);
        tooltip("Download the official Keras ResNet50 ImageNet weights (about 95 MB, or 103 MB with the classifier), "
                "after saying where they will be stored. Nothing is downloaded until you confirm.");
    }
    if (!w.last_result.empty() && !s.downloading) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(w.last_result_ok ? ok_colour() : error_colour(), "%s", w.last_result.c_str());
        ImGui::PopTextWrapPos();
        layout_report::item("label", w.last_result);
    }
}

void draw_download_dialog(AppState& app) {
    ImageNetWeights& w = app.imagenet;
    ImageNetWeights::Dialog& d = w.dialog;
    if (!w.service) return;
    if (d.open_requested) {
        ImGui::OpenPopup("Get ImageNet weights");
        d.open_requested = false;
        d.focus = true;
    }
    const float F = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(ImVec2(std::min(F * 36, ImGui::GetMainViewport()->WorkSize.x * 0.95f), 0));
    if (!ImGui::BeginPopupModal("Get ImageNet weights", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::Checkbox("with the classifier (fc1000, for predictions)", &d.top);
    tooltip("The file with the classifier top (about 103 MB) also serves the network without it. The backbone-only "
            "file is about 95 MB.");
    ImGui::TextUnformatted("From a mirror (optional):");
    tooltip("A school lab's own copy: an http://, https:// or file:// URL. A copy of the official file (same name) is "
            "checked against the official md5; any other file needs its md5.");
    // Keyboard alone: the URL field has the focus, Tab goes to the md5, Enter downloads, Escape cancels.
    if (d.focus) {
        ImGui::SetKeyboardFocusHere();
        d.focus = false;
    }
    ImGui::SetNextItemWidth(-1);
    bool enter = input_text("##mirror", d.mirror, ImGuiInputTextFlags_EnterReturnsTrue);
    tooltip("Empty: the official file from github.com. Or a mirror's URL, e.g. http://lab-server/resnet50.h5 or "
            "file:///media/usb/resnet50_weights_tf_dim_ordering_tf_kernels.h5.");
    ImGui::SetNextItemWidth(F * 18);
    enter |= input_text("md5 (a mirror's other file)", d.md5, ImGuiInputTextFlags_EnterReturnsTrue);
    tooltip("32 hex digits: the checksum of a mirror's file whose name is not an official one.");
    std::string plan_text;
    bool plan_ok = true;
    try {
        plan_text = download_plan_text(plan_fetch(dialog_options(d)), d.top);
    } catch (const InputError& e) {
        plan_text = dialog_wording(e.what());
        plan_ok = false;
    }
    wrapped_text(plan_text, plan_ok ? ImGui::GetStyle().Colors[ImGuiCol_Text] : error_colour());  // paths whole
    layout_report::item("label", plan_text);
    if (!d.error.empty()) error_text(d.error);

    ImGui::BeginDisabled(!plan_ok);
    const bool start = ImGui::Button("Download") || (enter && plan_ok);
    ImGui::EndDisabled();
    ImGui::SameLine();
    const bool cancel = ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
    if (start) {
        try {
            w.service->download(dialog_options(d));
            w.last_result.clear();
            ImGui::CloseCurrentPopup();
        } catch (const std::exception& e) {
            d.error = dialog_wording(e.what());
        }
    }
    if (cancel) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

}  // namespace convscope::gui
