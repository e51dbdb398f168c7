{{/* Chart name, or nameOverride. */}}
{{- define "meshward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the namespaced objects: fullnameOverride, else release-chart (the release name
alone when it already contains the chart name). A DNS label: at most 63 characters. */}}
{{- define "meshward.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of the cluster-scoped objects (webhook configuration, ClusterRole, binding): the
namespace is part of it so that releases of the same name in two namespaces do not clash. */}}
{{- define "meshward.clusterName" -}}
{{- printf "%s-%s" (include "meshward.fullname" .) .Release.Namespace | trunc 253 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "meshward.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "meshward.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: meshward
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "meshward.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meshward.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the pods mount at /etc/meshward/tls (keys tls.crt and tls.key). */}}
{{- define "meshward.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "existingSecret" -}}
{{- required "certificates.existingSecret.name is required when certificates.mode is existingSecret" .Values.certificates.existingSecret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "meshward.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Names the serving certificate is valid for: every way the API server may address the
Service. */}}
{{- define "meshward.dnsNames" -}}
{{- $svc := include "meshward.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{- define "meshward.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Istio kinds meshward decodes, in every version the API server serves them
(src/model/kinds.cpp): the webhook validates them and the watcher reads them. The chart test
compares this list with the decoder's table. */}}
{{- define "meshward.istioResources" -}}
- group: networking.istio.io
  versions: [v1, v1beta1, v1alpha3]
  resources: [gateways, virtualservices, destinationrules, serviceentries, sidecars, workloadentries]
- group: networking.istio.io
  versions: [v1alpha3]
  resources: [envoyfilters]
- group: security.istio.io
  versions: [v1, v1beta1]
  resources: [peerauthentications, requestauthentications, authorizationpolicies]
{{- end -}}

{{/* An enforcement word of the policy: enforce, warn or off (false, YAML 1.1's reading of a
bare off, is off). */}}
{{- define "meshward.enforcement" -}}
{{- if kindIs "bool" . -}}
{{- if . -}}{{- fail "policy enforcement must be enforce, warn or off" -}}{{- end -}}
off
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}
