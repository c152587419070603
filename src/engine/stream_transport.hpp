// Internal to the engine component: one HTTP/1.1 exchange whose answer is read as it arrives
// (logs with follow, exec start) until the engine ends it or a deadline passes. Beside
// transport.hpp's whole-body exchange, on the same connection set-up and error wording.
#pragma once

#include "engine/transport.hpp"

namespace dockgate::engine {

// Bounded by the connect timeout for connecting, by the read timeout (and the deadline) for
// the answer's header, and by the deadline alone for the body: a quiet stream is normal.
Result<StreamedResponse> send_streaming_request(const TransportSettings& settings,
                                                const HttpRequest& request,
                                                const StreamLimits& limits, const BodySink& sink);

}  // namespace dockgate::engine
