#pragma once
// Reading a cluster's MeshConfig, so translation and checks judge by the mesh's own settings
// (`--mesh-config FILE` of check, translate and serve) instead of Istio's defaults.

#include <string>
#include <string_view>

#include "meshward/core/result.h"
#include "meshward/translate/options.h"

namespace meshward::translate {

/// The MeshConfig fields meshward reads (options.h MeshConfig: rootNamespace, trustDomain,
/// outboundTrafficPolicy.mode, connectTimeout, enableAutoMtls, default*ExportTo,
/// extensionProviders, localityLbSetting, protocolDetectionTimeout, dnsRefreshRate,
/// h2UpgradePolicy, defaultHttpRetryPolicy), over `defaults`, from `text` in any of the forms
/// operators hold it in, YAML or JSON:
/// - the MeshConfig itself (`kubectl -n istio-system get configmap istio -o
///   jsonpath='{.data.mesh}'`);
/// - the `istio` ConfigMap (`data.mesh` holds the MeshConfig as text);
/// - an IstioOperator (`spec.meshConfig`), or Helm values of istiod's chart (`meshConfig`).
/// Fields meshward does not read are ignored, as istiod ignores none of them but they change
/// nothing meshward judges; a field it reads with the wrong type or value is an error naming
/// the file and the field. `file` names the text in messages.
Result<MeshConfig> parse_mesh_config(std::string_view text, const std::string& file,
                                     const MeshConfig& defaults = {});

}  // namespace meshward::translate
