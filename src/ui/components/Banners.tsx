/** Server errors as dismissable banners at the top of the notebook page (the last five are kept). */

export interface Banner {
  id: number;
  message: string;
}

export function Banners({ banners, onDismiss }: { banners: Banner[]; onDismiss: (id: number) => void }) {
  return (
    <>
      {banners.map((banner) => (
        <div key={banner.id} class="error-banner server-error" role="alert">
          {banner.message}
          <button type="button" class="dismiss" aria-label="Dismiss" onClick={() => onDismiss(banner.id)}>
            ✕
          </button>
        </div>
      ))}
    </>
  );
}
