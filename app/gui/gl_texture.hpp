#pragma once
// A GL texture owned by the main thread, filled from RGBA8 pixels the worker produced.
//
//   upload(w, h, pixels)   (re)creates or updates the texture; nearest filtering so single activations
//                          stay visible as crisp squares when enlarged
//   imgui_id()             for ImGui::Image
//   release()              deletes it; the destructor does too (the GL context must still exist)

#include <cstdint>

namespace convscope::gui {

class GlTexture {
public:
    GlTexture() = default;
    ~GlTexture();
    GlTexture(const GlTexture&) = delete;
    GlTexture& operator=(const GlTexture&) = delete;

    void upload(int width, int height, const std::uint8_t* rgba, bool smooth = false);
    void release();
    int width() const { return width_; }
    int height() const { return height_; }
    bool valid() const { return id_ != 0 && width_ > 0 && height_ > 0; }
    void* imgui_id() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id_)); }

private:
    unsigned id_ = 0;
    int width_ = 0, height_ = 0;
};

}  // namespace convscope::gui
