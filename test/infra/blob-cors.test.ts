import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthStack } from './synth';

const EXPOSED = ['ETag', 'Content-Length', 'Content-Type', 'Content-Range', 'Docker-Content-Digest', 'Accept-Ranges'];
const rule = (origins: string[]) => ({
  AllowedOrigins: origins, AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], ExposedHeaders: EXPOSED, MaxAge: 600,
});
const bucketCors = (template: Template) => Object.values(template.findResources('AWS::S3::Bucket'))[0]!.Properties.CorsConfiguration;
const registryFunctions = (template: Template, value: unknown) => template.findResources('AWS::Lambda::Function', {
  Properties: { Environment: { Variables: Match.objectLike({ STRATUS_BUCKET: Match.anyValue(), STRATUS_CORS_ORIGIN: value }) } },
});

describe('StratusStack corsAllowedOrigins: the blob bucket answers browsers that follow the 307', () => {
  it('by default: any origin may GET/HEAD blob bytes without credentials, as the registry\'s default `*`', () => {
    const { template } = synthStack();

    expect(bucketCors(template)).toEqual({ CorsRules: [rule(['*'])] });
    expect(Object.keys(registryFunctions(template, Match.anyValue()))).toHaveLength(0);
  });

  it('a UI\'s origin: `null` (what a browser sends after the redirect) echoed with credentials; the API gets STRATUS_CORS_ORIGIN', () => {
    const { template } = synthStack({ corsAllowedOrigins: ['https://ui.example.com'] });

    expect(bucketCors(template)).toEqual({ CorsRules: [rule(['null', 'https://ui.example.com'])] });
    expect(Object.keys(registryFunctions(template, 'https://ui.example.com'))).toHaveLength(1);
  });

  it('a UI\'s origin and `*`: the credentialed rule first (S3 applies the first that matches), then `*`', () => {
    const { template } = synthStack({ corsAllowedOrigins: ['https://ui.example.com', '*'] });

    expect(bucketCors(template)).toEqual({ CorsRules: [rule(['null', 'https://ui.example.com']), rule(['*'])] });
  });

  it('none: no bucket CORS, and the API sends no CORS headers', () => {
    const { template } = synthStack({ corsAllowedOrigins: [] });

    expect(bucketCors(template)).toBeUndefined();
    expect(Object.keys(registryFunctions(template, ''))).toHaveLength(1);
  });
});
