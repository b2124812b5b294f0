#include "app/gui/gl_texture.hpp"

#include <GL/gl.h>

namespace convscope::gui {

GlTexture::~GlTexture() { release(); }

void GlTexture::release() {
    if (id_) glDeleteTextures(1, &id_);
    id_ = 0;
    width_ = height_ = 0;
}

void GlTexture::upload(int width, int height, const std::uint8_t* rgba, bool smooth) {
    if (width <= 0 || height <= 0) {
        release();
        return;
    }
    if (!id_) glGenTextures(1, &id_);
    glBindTexture(GL_TEXTURE_2D, id_);
    const GLint filter = smooth ? GL_LINEAR : GL_NEAREST;
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (width == width_ && height == height_) {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    } else {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        width_ = width;
        height_ = height;
    }
    glBindTexture(GL_TEXTURE_2D, 0);
}

}  // namespace convscope::gui
