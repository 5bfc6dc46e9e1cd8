/**
 * Server errors (and notices, such as what a rename rewrote) as dismissable banners at the top of
 * the notebook page; the last five are kept.
 */

export interface Banner {
  id: number;
  message: string;
  /** `info`: something the server did that the user should know of, not a failure */
  kind?: 'error' | 'info';
}

export function Banners({ banners, onDismiss }: { banners: Banner[]; onDismiss: (id: number) => void }) {
  return (
    <>
      {banners.map((banner) => (
        <div
          key={banner.id}
          class={banner.kind === 'info' ? 'info-banner server-notice' : 'error-banner server-error'}
          role={banner.kind === 'info' ? 'status' : 'alert'}
        >
          {banner.message}
          <button type="button" class="dismiss" aria-label="Dismiss" onClick={() => onDismiss(banner.id)}>
            ✕
          </button>
        </div>
      ))}
    </>
  );
}
