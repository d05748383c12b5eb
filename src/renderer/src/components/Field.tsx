import { useId, type InputHTMLAttributes } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  /** Inline error shown under the field (role="alert"). */
  error?: string | undefined;
}

/** A labelled input with its inline error wired through aria-describedby. */
export function Field({ label, error, className, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
      />
      {error ? (
        <p id={errorId} role="alert" className="inline-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** An error paragraph for things that are not a single field. */
export function InlineError({ message, id }: { message: string | undefined; id?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="inline-error">
      {message}
    </p>
  );
}
