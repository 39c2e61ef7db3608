import type { ReactNode } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

/** A sign-in page's column: the Nimbox mark over a card with the page's title, a line and the form. */
export function SignInCard({ title, description, children }: { title: ReactNode; description: ReactNode; children: ReactNode }) {
  return (
    <div className="flex w-full max-w-sm flex-col items-center gap-6">
      <div
        aria-hidden="true"
        className="grid size-12 place-items-center rounded-2xl bg-sky-600 text-xl font-semibold text-white shadow-lg shadow-sky-600/20"
      >
        {/* The Nimbox mark: a product name's letter, not text to translate. */}
        {'N'}
      </div>
      <Card className="w-full">
        <CardHeader className="items-center text-center">
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </CardHeader>
        <CardContent>{children}</CardContent>
      </Card>
    </div>
  );
}
