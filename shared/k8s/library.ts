// Adapter: the parts of @kubernetes/client-node Firebreak uses, in one module that the bundle keeps in a file of its own (esbuild.config.js).
// Import the library through this module only: the deployed bundle then holds no copy of the library, and the file beside it holds nothing but the library.
export { ApiException, AppsV1Api, AutoscalingV2Api, KubeConfig, Observable, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
export type { ConfigurationOptions, ObservableMiddleware } from '@kubernetes/client-node';
